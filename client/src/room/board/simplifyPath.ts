/**
 * A freehand stroke as it goes on the wire: points rounded to a tenth of a unit, relative to the
 * stroke's first point, and simplified (Ramer–Douglas–Peucker) with a growing tolerance until the
 * stroke fits the board's point limit and its `shape_create` fits the server's frame size. A
 * hand-drawn stroke of a few hundred pointer events usually keeps a fraction of its points and
 * looks the same.
 */
import type { Point } from '@scalable-chat/backend-contract'
import { BOARD_RULE } from '@scalable-chat/backend-contract/rules'
import { round } from './geometry.js'

/** Room left in a frame for everything that is not the points (type, id, colour, ref…). */
const FRAME_OVERHEAD_BYTES = 512

export interface Stroke {
  x: number
  y: number
  points: Point[]
}

/**
 * @param absolute the pointer's positions, in board coordinates, in the order drawn (at least one)
 * @param maxFrameBytes the server's limit, from the snapshot
 * @example simplifyPath([[10, 10], [11, 10.02], [20, 10]], 16384) // { x: 10, y: 10, points: [[0, 0], [10, 0]] }
 */
export function simplifyPath(absolute: readonly Point[], maxFrameBytes: number, tolerance = 0.5): Stroke {
  const [x, y] = absolute[0]!
  let relative = dedupe(absolute.map(([px, py]): Point => [round(px - x), round(py - y)]))
  // A dot: a path needs two points.
  if (relative.length === 1) relative = [relative[0]!, [round(relative[0]![0] + 0.1), relative[0]![1]]]
  let points = douglasPeucker(relative, tolerance)
  for (let t = tolerance * 2; !fits(points, maxFrameBytes); t *= 2) points = douglasPeucker(relative, t)
  return { x: round(x), y: round(y), points }
}

function fits(points: readonly Point[], maxFrameBytes: number): boolean {
  return points.length <= BOARD_RULE.maxPathPoints && JSON.stringify(points).length + FRAME_OVERHEAD_BYTES <= maxFrameBytes
}

function dedupe(points: Point[]): Point[] {
  return points.filter((point, i) => i === 0 || point[0] !== points[i - 1]![0] || point[1] !== points[i - 1]![1])
}

/** The points that matter at `tolerance`: first and last always. Iterative, so a long stroke cannot overflow the stack. */
export function douglasPeucker(points: readonly Point[], tolerance: number): Point[] {
  if (points.length <= 2) return [...points]
  const keep = new Uint8Array(points.length)
  keep[0] = 1
  keep[points.length - 1] = 1
  const ranges: [number, number][] = [[0, points.length - 1]]
  while (ranges.length > 0) {
    const [first, last] = ranges.pop()!
    let farthest = -1
    let distance = tolerance
    for (let i = first + 1; i < last; i++) {
      const d = distanceToLine(points[i]!, points[first]!, points[last]!)
      if (d > distance) {
        distance = d
        farthest = i
      }
    }
    if (farthest < 0) continue
    keep[farthest] = 1
    ranges.push([first, farthest], [farthest, last])
  }
  return points.filter((_, i) => keep[i] === 1)
}

function distanceToLine([x, y]: Point, [ax, ay]: Point, [bx, by]: Point): number {
  const dx = bx - ax
  const dy = by - ay
  const length = Math.hypot(dx, dy)
  if (length === 0) return Math.hypot(x - ax, y - ay)
  return Math.abs(dy * x - dx * y + bx * ay - by * ax) / length
}
