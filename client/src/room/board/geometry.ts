/**
 * Where shapes are and how a drag changes them, in board coordinates. Pure functions: the board
 * view asks them what was hit and what a move or a resize turns a shape into, and sends the answer
 * as the update's changes.
 */
import type { Point, Shape, ShapeChanges } from '@scalable-chat/backend-contract'
import { BOARD_RULE } from '@scalable-chat/backend-contract/rules'

export interface Box {
  x: number
  y: number
  width: number
  height: number
}

/** Which part of a selected shape a drag holds: the shape itself, a corner, or an end of a line. */
export type Handle = 'move' | 'nw' | 'ne' | 'sw' | 'se' | 'start' | 'end'

export function hasPoints(shape: Shape): shape is Extract<Shape, { points: unknown }> {
  return shape.type === 'line' || shape.type === 'arrow' || shape.type === 'path'
}

/** The smallest box around the shape (the stroke not included). */
export function boundsOf(shape: Shape): Box {
  if (!hasPoints(shape)) return { x: shape.x, y: shape.y, width: shape.width, height: shape.height }
  const xs = shape.points.map(([x]) => x)
  const ys = shape.points.map(([, y]) => y)
  const minX = Math.min(...xs)
  const minY = Math.min(...ys)
  return { x: shape.x + minX, y: shape.y + minY, width: Math.max(...xs) - minX, height: Math.max(...ys) - minY }
}

/** The topmost shape under a board point, `tolerance` board units around thin strokes included. */
export function shapeAt(shapes: readonly Shape[], x: number, y: number, tolerance: number): Shape | undefined {
  for (let i = shapes.length - 1; i >= 0; i--) {
    const shape = shapes[i]!
    if (hits(shape, x, y, tolerance + shape.strokeWidth / 2)) return shape
  }
  return undefined
}

function hits(shape: Shape, x: number, y: number, tolerance: number): boolean {
  if (hasPoints(shape)) {
    const points = shape.points.map(([px, py]): Point => [shape.x + px, shape.y + py])
    return points.some((point, i) => i > 0 && distanceToSegment([x, y], points[i - 1]!, point) <= tolerance)
  }
  // Boxes, ellipses and text are picked up anywhere inside, like the objects they look like.
  return x >= shape.x - tolerance && x <= shape.x + shape.width + tolerance && y >= shape.y - tolerance && y <= shape.y + shape.height + tolerance
}

function distanceToSegment([x, y]: Point, [ax, ay]: Point, [bx, by]: Point): number {
  const dx = bx - ax
  const dy = by - ay
  const lengthSquared = dx * dx + dy * dy
  const t = lengthSquared === 0 ? 0 : Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / lengthSquared))
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy))
}

/** The box two corners span, whichever way the drag went. */
export function boxBetween(ax: number, ay: number, bx: number, by: number): Box {
  return { x: Math.min(ax, bx), y: Math.min(ay, by), width: Math.abs(bx - ax), height: Math.abs(by - ay) }
}

/** The handles a selected shape offers. */
export function handlesOf(shape: Shape): { handle: Handle; x: number; y: number }[] {
  if (shape.type === 'line' || shape.type === 'arrow') {
    const [[sx, sy], [ex, ey]] = shape.points
    return [
      { handle: 'start', x: shape.x + sx, y: shape.y + sy },
      { handle: 'end', x: shape.x + ex, y: shape.y + ey },
    ]
  }
  const { x, y, width, height } = boundsOf(shape)
  return [
    { handle: 'nw', x, y },
    { handle: 'ne', x: x + width, y },
    { handle: 'sw', x, y: y + height },
    { handle: 'se', x: x + width, y: y + height },
  ]
}

/**
 * The changes that dragging `handle` of `shape` by (dx, dy) makes: a move shifts its origin; a
 * corner resizes its box (a freehand path is scaled into it); an end moves that end of a line.
 */
export function dragChanges(shape: Shape, handle: Handle, dx: number, dy: number): ShapeChanges {
  if (handle === 'move') return { x: clampCoordinate(shape.x + dx), y: clampCoordinate(shape.y + dy) }
  if (shape.type === 'line' || shape.type === 'arrow') {
    const [start, end] = shape.points
    const moved = (point: Point): Point => [round(point[0] + dx), round(point[1] + dy)]
    return { points: handle === 'start' ? [moved(start), end] : [start, moved(end)] }
  }
  const box = boundsOf(shape)
  const left = handle === 'nw' || handle === 'sw' ? box.x + dx : box.x
  const right = handle === 'ne' || handle === 'se' ? box.x + box.width + dx : box.x + box.width
  const top = handle === 'nw' || handle === 'ne' ? box.y + dy : box.y
  const bottom = handle === 'sw' || handle === 'se' ? box.y + box.height + dy : box.y + box.height
  const next = boxBetween(left, top, right, bottom)
  if (shape.type !== 'path') return roundBox(next)
  // Scale the stroke into the new box; a flat stroke (a straight line drawn by hand) keeps its flat axis.
  const sx = box.width === 0 ? 1 : next.width / box.width
  const sy = box.height === 0 ? 1 : next.height / box.height
  const origin = { x: round(next.x), y: round(next.y) }
  const minX = box.x - shape.x
  const minY = box.y - shape.y
  const points = shape.points.map(([px, py]): Point => [round((px - minX) * sx), round((py - minY) * sy)])
  return { ...origin, points }
}

function roundBox(box: Box): ShapeChanges {
  return { x: clampCoordinate(box.x), y: clampCoordinate(box.y), width: round(box.width), height: round(box.height) }
}

/** To a tenth of a board unit: finer than any screen shows, and short on the wire. */
export function round(value: number): number {
  return Math.round(value * 10) / 10
}

export function clampCoordinate(value: number): number {
  return round(Math.max(-BOARD_RULE.maxCoordinate, Math.min(BOARD_RULE.maxCoordinate, value)))
}

/** A shape seen as if its `changes` were applied (a drag's preview). */
export function withChanges(shape: Shape, changes: ShapeChanges): Shape {
  return { ...shape, ...changes } as Shape
}
