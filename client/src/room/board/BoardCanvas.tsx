import type { Shape } from '@scalable-chat/backend-contract'
import { useEffect, useRef, useState, type PointerEvent as ReactPointerEvent, type RefObject, type WheelEvent as ReactWheelEvent } from 'react'
import type { Point2 } from '../connection/boardReducer.js'
import styles from './Board.module.css'
import { CursorLayer } from './CursorLayer.js'
import { Draft, type DraftState, type DraftStyle } from './Draft.js'
import { boundsOf, dragChanges, handlesOf, shapeAt, withChanges, type Handle } from './geometry.js'
import { ShapeView } from './ShapeView.js'
import type { Tool } from './tools.js'
import { zoomAround, type Viewport } from './viewport.js'

/** A drag in progress: a shape being drawn, a selected shape held by a handle, or the board being panned. */
type Gesture =
  | { kind: 'draw'; draft: DraftState }
  | { kind: 'edit'; id: string; handle: Handle; from: Point2; to: Point2 }
  | { kind: 'pan'; fromScreen: Point2; start: Viewport }
  | { kind: 'pinch'; distance: number; mid: Point2; start: Viewport }

/** Pointer travel, in screen pixels, under which a press is a click and not a drag. */
const CLICK_SLOP_PX = 4

export interface BoardCanvasProps {
  shapes: readonly Shape[]
  cursors: ReadonlyMap<string, Point2>
  names: ReadonlyMap<string, string>
  tool: Tool
  style: DraftStyle
  selected: Shape | null
  /** Changes shown on the selected shape before they are sent (arrow-key nudges). */
  nudge: Point2 | null
  viewport: Viewport
  svgRef: RefObject<SVGSVGElement | null>
  onViewport: (viewport: Viewport) => void
  onSelect: (id: string | null) => void
  /** A drawing tool finished a shape: `draft` says what, in board coordinates. */
  onDrawn: (draft: DraftState, click: boolean) => void
  /** A move or resize of `shape` ended. */
  onEdited: (shape: Shape, handle: Handle, dx: number, dy: number) => void
  onEditText: (shape: Extract<Shape, { type: 'text' }>) => void
  onPointer: (point: Point2) => void
}

/**
 * The board's drawing surface: an SVG of the shapes, in board coordinates under the viewport's
 * transform, with the pointers of the others on top in screen coordinates. Pointer Events serve
 * mouse, pen and touch alike; two fingers pan and zoom. A drag is drawn here (as a draft, or as
 * the selected shape with the drag's changes) and reported once, when it ends: one edit per
 * gesture, however many pointer moves it took.
 */
export function BoardCanvas(props: BoardCanvasProps) {
  const { shapes, viewport, tool, selected } = props
  const [gesture, setGesture] = useState<Gesture | null>(null)
  const pointers = useRef(new Map<number, Point2>())
  const pressedAt = useRef<Point2>({ x: 0, y: 0 })
  const { svgRef } = props

  useEffect(() => {
    // React's wheel listener is passive: without this one, Ctrl+wheel (and a trackpad pinch) would
    // zoom the whole page as well as the board.
    const svg = svgRef.current
    const keepZoomHere = (event: WheelEvent) => {
      if (event.ctrlKey || event.metaKey) event.preventDefault()
    }
    svg?.addEventListener('wheel', keepZoomHere, { passive: false })
    return () => svg?.removeEventListener('wheel', keepZoomHere)
  }, [svgRef])

  function toBoard(event: { clientX: number; clientY: number }): Point2 {
    const rect = props.svgRef.current!.getBoundingClientRect()
    return { x: (event.clientX - rect.left) / viewport.zoom + viewport.x, y: (event.clientY - rect.top) / viewport.zoom + viewport.y }
  }

  function toScreen(event: { clientX: number; clientY: number }): Point2 {
    const rect = props.svgRef.current!.getBoundingClientRect()
    return { x: event.clientX - rect.left, y: event.clientY - rect.top }
  }

  function onPointerDown(event: ReactPointerEvent<SVGSVGElement>) {
    if (event.button !== 0 && event.pointerType === 'mouse' && event.button !== 1) return
    event.currentTarget.setPointerCapture(event.pointerId)
    pointers.current.set(event.pointerId, toScreen(event))
    pressedAt.current = toScreen(event)
    if (pointers.current.size === 2) return setGesture(pinchStart())
    if (pointers.current.size > 2) return
    const at = toBoard(event)
    const handle = (event.target as Element).getAttribute('data-handle') as Handle | null
    if (event.button === 1 || tool === 'hand') return setGesture({ kind: 'pan', fromScreen: toScreen(event), start: viewport })
    if (tool === 'select') {
      if (handle && selected) return setGesture({ kind: 'edit', id: selected.id, handle, from: at, to: at })
      const hit = shapeAt(shapes, at.x, at.y, 6 / viewport.zoom)
      props.onSelect(hit?.id ?? null)
      if (hit) return setGesture({ kind: 'edit', id: hit.id, handle: 'move', from: at, to: at })
      // Dragging the empty board pans it: on a phone that is what a finger expects.
      return setGesture({ kind: 'pan', fromScreen: toScreen(event), start: viewport })
    }
    props.onSelect(null)
    setGesture({ kind: 'draw', draft: { tool, from: at, to: at, points: [[at.x, at.y]] } })
  }

  function onPointerMove(event: ReactPointerEvent<SVGSVGElement>) {
    const at = toBoard(event)
    props.onPointer(at)
    if (!pointers.current.has(event.pointerId)) return
    pointers.current.set(event.pointerId, toScreen(event))
    if (!gesture) return
    switch (gesture.kind) {
      case 'draw': {
        const { draft } = gesture
        const points = draft.tool === 'pen' ? [...draft.points, [at.x, at.y] as [number, number]] : draft.points
        return setGesture({ kind: 'draw', draft: { ...draft, to: at, points } })
      }
      case 'edit':
        return setGesture({ ...gesture, to: at })
      case 'pan': {
        const now = toScreen(event)
        const { start, fromScreen } = gesture
        return props.onViewport({ ...start, x: start.x - (now.x - fromScreen.x) / start.zoom, y: start.y - (now.y - fromScreen.y) / start.zoom })
      }
      case 'pinch':
        return props.onViewport(pinchViewport(gesture))
    }
  }

  function onPointerUp(event: ReactPointerEvent<SVGSVGElement>) {
    if (!pointers.current.delete(event.pointerId)) return
    const screen = toScreen(event)
    const click = Math.hypot(screen.x - pressedAt.current.x, screen.y - pressedAt.current.y) < CLICK_SLOP_PX
    const ended = gesture
    setGesture(null)
    if (!ended || event.type === 'pointercancel' || pointers.current.size > 0) return
    if (ended.kind === 'draw') props.onDrawn(ended.draft, click)
    if (ended.kind === 'edit' && !click) {
      const shape = shapes.find((s) => s.id === ended.id)
      if (shape) props.onEdited(shape, ended.handle, ended.to.x - ended.from.x, ended.to.y - ended.from.y)
    }
  }

  function onDoubleClick(event: React.MouseEvent<SVGSVGElement>) {
    const at = toBoard(event)
    const hit = shapeAt(shapes, at.x, at.y, 6 / viewport.zoom)
    if (hit?.type === 'text') props.onEditText(hit)
  }

  function onWheel(event: ReactWheelEvent<SVGSVGElement>) {
    // A pinch on a trackpad arrives as a wheel with ctrlKey; a plain wheel scrolls the board.
    if (event.ctrlKey || event.metaKey) {
      const factor = Math.exp(-event.deltaY * 0.01)
      props.onViewport(zoomAround(viewport, toScreen(event), viewport.zoom * factor))
    } else {
      props.onViewport({ ...viewport, x: viewport.x + event.deltaX / viewport.zoom, y: viewport.y + event.deltaY / viewport.zoom })
    }
  }

  function pinchStart(): Gesture {
    const [a, b] = [...pointers.current.values()] as [Point2, Point2]
    return { kind: 'pinch', distance: Math.hypot(a.x - b.x, a.y - b.y) || 1, mid: { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 }, start: viewport }
  }

  function pinchViewport(pinch: Extract<Gesture, { kind: 'pinch' }>): Viewport {
    const [a, b] = [...pointers.current.values()] as [Point2, Point2]
    const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 }
    const zoomed = zoomAround(pinch.start, pinch.mid, (pinch.start.zoom * Math.hypot(a.x - b.x, a.y - b.y)) / pinch.distance)
    return { ...zoomed, x: zoomed.x - (mid.x - pinch.mid.x) / zoomed.zoom, y: zoomed.y - (mid.y - pinch.mid.y) / zoomed.zoom }
  }

  // What the selected shape looks like right now: with the drag's or the arrow keys' changes.
  let shown = selected
  if (selected && gesture?.kind === 'edit' && gesture.id === selected.id) {
    shown = withChanges(selected, dragChanges(selected, gesture.handle, gesture.to.x - gesture.from.x, gesture.to.y - gesture.from.y))
  } else if (selected && props.nudge) {
    shown = withChanges(selected, dragChanges(selected, 'move', props.nudge.x, props.nudge.y))
  }
  const z = viewport.zoom

  return (
    <svg
      ref={props.svgRef}
      className={styles.canvas}
      data-tool={tool}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      onDoubleClick={onDoubleClick}
      onWheel={onWheel}
      aria-hidden="true"
    >
      <defs>
        <pattern id="board-dots" width={24 * z} height={24 * z} patternUnits="userSpaceOnUse" x={-viewport.x * z} y={-viewport.y * z}>
          <circle cx={1} cy={1} r={1} className={styles.dot} />
        </pattern>
      </defs>
      <rect width="100%" height="100%" fill="url(#board-dots)" />
      <g transform={`scale(${z}) translate(${-viewport.x} ${-viewport.y})`}>
        <g data-layer="shapes">
          {shapes.map((shape) => (shape.id === shown?.id ? <ShapeView key={shape.id} shape={shown} /> : <ShapeView key={shape.id} shape={shape} />))}
        </g>
        {gesture?.kind === 'draw' && <Draft draft={gesture.draft} style={props.style} />}
        {shown && <Selection shape={shown} zoom={z} />}
      </g>
      <CursorLayer cursors={props.cursors} names={props.names} viewport={viewport} />
    </svg>
  )
}

/** The selected shape's outline and handles, sized in screen pixels whatever the zoom. */
function Selection({ shape, zoom }: { shape: Shape; zoom: number }) {
  const box = boundsOf(shape)
  const pad = (shape.strokeWidth / 2 + 4) / zoom
  const size = 10 / zoom
  return (
    <g className={styles.selection}>
      <rect x={box.x - pad} y={box.y - pad} width={box.width + 2 * pad} height={box.height + 2 * pad} strokeWidth={1.5 / zoom} strokeDasharray={`${4 / zoom} ${3 / zoom}`} />
      {handlesOf(shape).map(({ handle, x, y }) => (
        <rect
          key={handle}
          data-handle={handle}
          className={styles.handle}
          x={x - size / 2}
          y={y - size / 2}
          width={size}
          height={size}
          strokeWidth={1.5 / zoom}
        />
      ))}
    </g>
  )
}
