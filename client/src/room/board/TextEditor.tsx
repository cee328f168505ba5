import { BOARD_RULE } from '@scalable-chat/backend-contract/rules'
import { useEffect, useRef, useState } from 'react'
import styles from './Board.module.css'
import { BOARD_FONT } from './ShapeView.js'
import { TEXT_FONT_RATIO } from './tools.js'

export interface TextEdit {
  /** The text shape being edited; absent for a new one. */
  id?: string
  /** Board coordinates of the text's top left. */
  x: number
  y: number
  text: string
  lineHeight: number
  color: string
}

/**
 * The box text is typed into, over the board where the text goes, at the size it will have.
 * Enter (without Shift) or leaving the box keeps the text; Escape drops the edit.
 */
export function TextEditor({
  edit,
  screen,
  zoom,
  onDone,
  onCancel,
}: {
  edit: TextEdit
  screen: { x: number; y: number }
  zoom: number
  onDone: (text: string) => void
  onCancel: () => void
}) {
  const [text, setText] = useState(edit.text)
  const ref = useRef<HTMLTextAreaElement>(null)
  const finished = useRef(false)
  useEffect(() => {
    ref.current?.focus()
    ref.current?.select()
  }, [])

  function finish(keep: boolean) {
    if (finished.current) return
    finished.current = true
    if (keep) onDone(text)
    else onCancel()
  }

  return (
    <textarea
      ref={ref}
      className={styles.textEditor}
      aria-label={edit.id ? 'Edit text' : 'New text'}
      value={text}
      maxLength={BOARD_RULE.maxTextLength}
      rows={Math.max(1, text.split('\n').length)}
      style={{
        left: screen.x,
        top: screen.y,
        color: edit.color,
        fontFamily: BOARD_FONT,
        fontSize: edit.lineHeight * TEXT_FONT_RATIO * zoom,
        lineHeight: `${edit.lineHeight * zoom}px`,
      }}
      onChange={(event) => setText(event.target.value)}
      onBlur={() => finish(true)}
      onKeyDown={(event) => {
        event.stopPropagation()
        if (event.key === 'Escape') finish(false)
        else if (event.key === 'Enter' && !event.shiftKey) {
          event.preventDefault()
          finish(true)
        }
      }}
    />
  )
}

let measuring: CanvasRenderingContext2D | null | undefined

/** How wide `text` is drawn at `lineHeight` per line, in board units (its longest line). */
export function measureText(text: string, lineHeight: number): number {
  measuring ??= document.createElement('canvas').getContext('2d')
  const fontSize = lineHeight * TEXT_FONT_RATIO
  const lines = text.split('\n')
  if (!measuring) return Math.max(...lines.map((line) => line.length)) * fontSize * 0.6
  measuring.font = `${fontSize}px ${BOARD_FONT}`
  return Math.max(...lines.map((line) => measuring!.measureText(line).width))
}
