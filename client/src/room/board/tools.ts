/** The board's tools, colours and stroke widths: what the toolbar offers and the keys that pick them. */
import type { ShapeType } from '@scalable-chat/backend-contract'

export type Tool = 'select' | 'hand' | Exclude<ShapeType, 'path'> | 'pen'

export interface ToolInfo {
  tool: Tool
  label: string
  /** The key that picks it (as `KeyboardEvent.key`, lower case). */
  key: string
  /** An SVG path in a 24×24 box, stroked. */
  icon: string
}

export const TOOLS: readonly ToolInfo[] = [
  { tool: 'select', label: 'Select', key: 'v', icon: 'M5 3l14 8-6 1.5L10 19z' },
  { tool: 'hand', label: 'Pan', key: 'h', icon: 'M8 12V5.5a1.5 1.5 0 0 1 3 0V11m0-6.5a1.5 1.5 0 0 1 3 0V11m0-5a1.5 1.5 0 0 1 3 0v7a7 7 0 0 1-12.5 4.3L4 14.5a1.5 1.5 0 0 1 2.4-1.8L8 14.5' },
  { tool: 'rectangle', label: 'Rectangle', key: 'r', icon: 'M4 6h16v12H4z' },
  { tool: 'ellipse', label: 'Ellipse', key: 'o', icon: 'M12 5c4.4 0 8 3.1 8 7s-3.6 7-8 7-8-3.1-8-7 3.6-7 8-7z' },
  { tool: 'arrow', label: 'Arrow', key: 'a', icon: 'M5 19L19 5m0 0h-7m7 0v7' },
  { tool: 'line', label: 'Line', key: 'l', icon: 'M5 19L19 5' },
  { tool: 'pen', label: 'Pen', key: 'p', icon: 'M4 20c3-1 4-6 7-6s2 4 5 4 3-5 4-8' },
  { tool: 'text', label: 'Text', key: 't', icon: 'M5 6V4h14v2M12 4v16m-3 0h6' },
]

/** Lower case #rrggbb, as the protocol requires; each reads on the board's light paper. */
export const COLORS: readonly { value: string; name: string }[] = [
  { value: '#1e1e24', name: 'Black' },
  { value: '#e03131', name: 'Red' },
  { value: '#f08c00', name: 'Orange' },
  { value: '#2f9e44', name: 'Green' },
  { value: '#1971c2', name: 'Blue' },
  { value: '#7048e8', name: 'Violet' },
  { value: '#0c8599', name: 'Teal' },
  { value: '#868e96', name: 'Grey' },
]

export const STROKE_WIDTHS: readonly { value: number; name: string }[] = [
  { value: 2, name: 'Thin' },
  { value: 4, name: 'Medium' },
  { value: 8, name: 'Bold' },
  { value: 16, name: 'Marker' },
]

/** Text is as tall as this per line at 100% (a text shape's height sets its font size). */
export const TEXT_LINE_HEIGHT = 28
/** Font size to line height, as drawn. */
export const TEXT_FONT_RATIO = 0.8

/** A colour for each member's pointer, the same on every screen. */
export function colorOf(userId: string): string {
  let hash = 0
  for (let i = 0; i < userId.length; i++) hash = (hash * 31 + userId.charCodeAt(i)) >>> 0
  return COLORS[1 + (hash % (COLORS.length - 2))]!.value
}
