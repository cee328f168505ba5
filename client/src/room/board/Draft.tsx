import type { Point, ShapeInput } from '@scalable-chat/backend-contract'
import type { Point2 } from '../connection/boardReducer.js'
import styles from './Board.module.css'
import { boxBetween, round } from './geometry.js'
import { simplifyPath } from './simplifyPath.js'
import type { Tool } from './tools.js'

/** A shape being drawn: where the drag started and is now, and every point a pen went through. */
export interface DraftState {
  tool: Tool
  from: Point2
  to: Point2
  /** Absolute board points (the pen's). */
  points: Point[]
}

export interface DraftStyle {
  color: string
  strokeWidth: number
}

/** A click (no drag) with a box or line tool puts down a shape of this size, in screen pixels. */
const CLICK_SIZE = { width: 120, height: 80 }

/**
 * The shape a finished draft makes (null for what draws nothing: the text tool, which asks for its
 * text first). A click places a default-sized shape where it landed; a pen stroke is simplified to
 * fit one frame.
 */
export function shapeOfDraft(draft: DraftState, style: DraftStyle, id: string, click: boolean, zoom: number, maxFrameBytes: number): ShapeInput | null {
  const { from } = draft
  const to = click ? { x: from.x + CLICK_SIZE.width / zoom, y: from.y + CLICK_SIZE.height / zoom } : draft.to
  const base = { id, color: style.color, strokeWidth: style.strokeWidth }
  switch (draft.tool) {
    case 'rectangle':
    case 'ellipse': {
      const box = boxBetween(from.x, from.y, to.x, to.y)
      return { ...base, type: draft.tool, x: round(box.x), y: round(box.y), width: round(box.width), height: round(box.height) }
    }
    case 'line':
    case 'arrow': {
      const end: Point = click ? [round(to.x - from.x), 0] : [round(to.x - from.x), round(to.y - from.y)]
      return { ...base, type: draft.tool, x: round(from.x), y: round(from.y), points: [[0, 0], end] }
    }
    case 'pen':
      return { ...base, type: 'path', ...simplifyPath(draft.points, maxFrameBytes) }
    default:
      return null
  }
}

/** A draft as it is drawn: faint, the pen's stroke as drawn (it is simplified once it ends). */
export function Draft({ draft, style }: { draft: DraftState; style: DraftStyle }) {
  const stroke = { stroke: style.color, strokeWidth: style.strokeWidth, fill: 'none', strokeLinecap: 'round', strokeLinejoin: 'round' } as const
  const { from, to } = draft
  const box = boxBetween(from.x, from.y, to.x, to.y)
  switch (draft.tool) {
    case 'rectangle':
      return <rect className={styles.draft} {...box} {...stroke} />
    case 'ellipse':
      return <ellipse className={styles.draft} cx={box.x + box.width / 2} cy={box.y + box.height / 2} rx={box.width / 2} ry={box.height / 2} {...stroke} />
    case 'line':
    case 'arrow':
      return <line className={styles.draft} x1={from.x} y1={from.y} x2={to.x} y2={to.y} {...stroke} />
    case 'pen':
      return <polyline className={styles.draft} points={draft.points.map(([x, y]) => `${x},${y}`).join(' ')} {...stroke} />
    default:
      return null
  }
}
