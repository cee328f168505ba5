import type { Shape } from '@scalable-chat/backend-contract'
import { memo } from 'react'
import { TEXT_FONT_RATIO } from './tools.js'

/** The font a text shape is drawn in; written on the element so that the PNG export draws it the same. */
export const BOARD_FONT = 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif'

/** One shape, in board coordinates. Memoised: a shape object changes only when the shape does. */
export const ShapeView = memo(function ShapeView({ shape }: { shape: Shape }) {
  const stroke = { stroke: shape.color, strokeWidth: shape.strokeWidth, fill: 'none', strokeLinecap: 'round', strokeLinejoin: 'round' } as const
  switch (shape.type) {
    case 'rectangle':
      return <rect x={shape.x} y={shape.y} width={shape.width} height={shape.height} rx={Math.min(6, shape.width / 4, shape.height / 4)} {...stroke} />
    case 'ellipse':
      return <ellipse cx={shape.x + shape.width / 2} cy={shape.y + shape.height / 2} rx={shape.width / 2} ry={shape.height / 2} {...stroke} />
    case 'line':
    case 'arrow': {
      const [[x1, y1], [x2, y2]] = shape.points
      return (
        <g transform={`translate(${shape.x} ${shape.y})`}>
          <line x1={x1} y1={y1} x2={x2} y2={y2} {...stroke} />
          {shape.type === 'arrow' && <path d={arrowHead(x1, y1, x2, y2, shape.strokeWidth)} {...stroke} />}
        </g>
      )
    }
    case 'path':
      return <path transform={`translate(${shape.x} ${shape.y})`} d={smoothPath(shape.points)} {...stroke} />
    case 'text': {
      const lines = shape.text.split('\n')
      const lineHeight = shape.height / lines.length
      return (
        <text x={shape.x} y={shape.y} fill={shape.color} fontFamily={BOARD_FONT} fontSize={lineHeight * TEXT_FONT_RATIO} style={{ whiteSpace: 'pre' }}>
          {lines.map((line, i) => (
            <tspan key={i} x={shape.x} dy={i === 0 ? lineHeight * TEXT_FONT_RATIO : lineHeight}>
              {line || ' '}
            </tspan>
          ))}
        </text>
      )
    }
  }
})

/** The two strokes of an arrow's head at (x2, y2), sized by the stroke width. */
function arrowHead(x1: number, y1: number, x2: number, y2: number, strokeWidth: number): string {
  const angle = Math.atan2(y2 - y1, x2 - x1)
  const size = 10 + strokeWidth * 2.5
  const at = (turn: number) => `${x2 - size * Math.cos(angle + turn)} ${y2 - size * Math.sin(angle + turn)}`
  return `M${at(Math.PI / 7)}L${x2} ${y2}L${at(-Math.PI / 7)}`
}

/** A freehand stroke through its points, smoothed with quadratic curves between midpoints. */
function smoothPath(points: readonly (readonly [number, number])[]): string {
  const [first, ...rest] = points
  if (!first) return ''
  if (rest.length < 2) return `M${first[0]} ${first[1]}` + rest.map(([x, y]) => `L${x} ${y}`).join('')
  let d = `M${first[0]} ${first[1]}`
  for (let i = 0; i < rest.length - 1; i++) {
    const [x, y] = rest[i]!
    const [nx, ny] = rest[i + 1]!
    d += `Q${x} ${y} ${(x + nx) / 2} ${(y + ny) / 2}`
  }
  const [lx, ly] = rest.at(-1)!
  return `${d}L${lx} ${ly}`
}
