import type { Point2 } from '../connection/boardReducer.js'
import styles from './Board.module.css'
import { colorOf } from './tools.js'
import type { Viewport } from './viewport.js'

/** The other members' pointers with their names, in screen pixels: a pointer does not grow with the zoom. */
export function CursorLayer({ cursors, names, viewport }: { cursors: ReadonlyMap<string, Point2>; names: ReadonlyMap<string, string>; viewport: Viewport }) {
  return (
    <g className={styles.cursors}>
      {[...cursors].map(([userId, { x, y }]) => {
        const color = colorOf(userId)
        const name = names.get(userId) ?? 'someone'
        return (
          <g key={userId} transform={`translate(${(x - viewport.x) * viewport.zoom} ${(y - viewport.y) * viewport.zoom})`} data-cursor={name}>
            <path d="M0 0L0 16L4.5 12L7.5 19L10 18L7 11L13 11Z" fill={color} stroke="#ffffff" strokeWidth={1.2} />
            {/* A pill behind the name; its width is a guess from the length (no layout pass for 20 updates a second). */}
            <rect x={12} y={16} rx={4} height={18} width={name.length * 7.2 + 12} fill={color} />
            <text x={18} y={29} className={styles.cursorName} fill="#ffffff">
              {name}
            </text>
          </g>
        )
      })}
    </g>
  )
}
