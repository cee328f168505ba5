/**
 * The room's whiteboard: the toolbar, the drawing surface and the text box. Loaded only when
 * someone opens the board (`React.lazy` in RoomPage), so the chat's first load does not carry it.
 * The board's state is `BoardSync`'s, read like the chat reads `ChatConnection`; this keeps only
 * what is this screen's own (tool, colour, selection, viewport, undo history).
 */
import type { Shape } from '@scalable-chat/backend-contract'
import type { Member } from '@scalable-chat/protocol'
import { useMemo, useRef, useState, useSyncExternalStore, type KeyboardEvent } from 'react'
import type { BoardSync } from '../connection/BoardSync.js'
import type { Point2 } from '../connection/boardReducer.js'
import { describeRefusal } from '../describeRefusal.js'
import styles from './Board.module.css'
import { BoardCanvas } from './BoardCanvas.js'
import { BoardHistory } from './BoardHistory.js'
import { shapeOfDraft, type DraftState } from './Draft.js'
import { exportPng } from './exportPng.js'
import { dragChanges, round, type Handle } from './geometry.js'
import { newShapeId } from './newShapeId.js'
import { measureText, TextEditor, type TextEdit } from './TextEditor.js'
import { Toolbar } from './Toolbar.js'
import { COLORS, STROKE_WIDTHS, TEXT_LINE_HEIGHT, TOOLS, type Tool } from './tools.js'
import { HOME, zoomAround, type Viewport } from './viewport.js'

const ZOOM_STEP = 1.25
const ARROWS: Record<string, Point2> = { ArrowLeft: { x: -1, y: 0 }, ArrowRight: { x: 1, y: 0 }, ArrowUp: { x: 0, y: -1 }, ArrowDown: { x: 0, y: 1 } }

export interface BoardPanelProps {
  board: BoardSync
  members: readonly Member[]
  roomName: string
  maxFrameBytes: number
}

export default function BoardPanel({ board, members, roomName, maxFrameBytes }: BoardPanelProps) {
  const state = useSyncExternalStore(board.subscribe, board.getState)
  const history = useMemo(() => new BoardHistory(board, newShapeId), [board])
  const [, historyChanged] = useState(0)
  const [tool, setTool] = useState<Tool>('select')
  const [color, setColor] = useState(COLORS[0]!.value)
  const [strokeWidth, setStrokeWidth] = useState(STROKE_WIDTHS[1]!.value)
  const [selectedId, setSelectedId] = useState<string | null>(null)
  const [viewport, setViewport] = useState<Viewport>(HOME)
  const [nudge, setNudge] = useState<Point2 | null>(null)
  const [textEdit, setTextEdit] = useState<TextEdit | null>(null)
  const svgRef = useRef<SVGSVGElement>(null)
  const names = useMemo(() => new Map(members.map((m) => [m.userId, m.username])), [members])

  const selected = (selectedId && state.shapes.find((s) => s.id === selectedId)) || null
  const edited = () => historyChanged((n) => n + 1)

  function onDrawn(draft: DraftState, click: boolean) {
    if (draft.tool === 'text') {
      return setTextEdit({ x: round(draft.from.x), y: round(draft.from.y), text: '', lineHeight: TEXT_LINE_HEIGHT, color })
    }
    const shape = shapeOfDraft(draft, { color, strokeWidth }, newShapeId(), click, viewport.zoom, maxFrameBytes)
    if (!shape) return
    history.create(shape)
    edited()
    // A box or a line is often adjusted right after: it comes selected. The pen keeps drawing.
    if (draft.tool !== 'pen') {
      setTool('select')
      setSelectedId(shape.id)
    }
  }

  function onEdited(shape: Shape, handle: Handle, dx: number, dy: number) {
    history.update(shape, dragChanges(shape, handle, dx, dy))
    edited()
  }

  function onTextDone(text: string) {
    const edit = textEdit
    setTextEdit(null)
    if (!edit) return
    const trimmed = text.replace(/\s+$/, '')
    const current = edit.id ? state.shapes.find((s) => s.id === edit.id) : undefined
    if (!trimmed) {
      if (current) history.remove(current)
    } else {
      const box = { width: round(measureText(trimmed, edit.lineHeight)), height: round(edit.lineHeight * trimmed.split('\n').length) }
      if (current?.type === 'text') {
        if (current.text !== trimmed) history.update(current, { text: trimmed, ...box })
      } else {
        const id = newShapeId()
        history.create({ type: 'text', id, x: edit.x, y: edit.y, text: trimmed, color: edit.color, strokeWidth, ...box })
        setSelectedId(id)
      }
      setTool('select')
    }
    edited()
  }

  function editText(shape: Extract<Shape, { type: 'text' }>) {
    setSelectedId(shape.id)
    setTextEdit({ id: shape.id, x: shape.x, y: shape.y, text: shape.text, lineHeight: shape.height / shape.text.split('\n').length, color: shape.color })
  }

  function undo() {
    history.undo()
    setSelectedId(null)
    edited()
  }

  function redo() {
    history.redo()
    setSelectedId(null)
    edited()
  }

  function remove() {
    if (!selected) return
    history.remove(selected)
    setSelectedId(null)
    edited()
  }

  function zoom(direction: 1 | -1 | 0) {
    if (direction === 0) return setViewport(HOME)
    const svg = svgRef.current
    const center = { x: (svg?.clientWidth ?? 0) / 2, y: (svg?.clientHeight ?? 0) / 2 }
    setViewport(zoomAround(viewport, center, viewport.zoom * ZOOM_STEP ** direction))
  }

  function chooseColor(value: string) {
    setColor(value)
    if (selected && selected.color !== value) {
      history.update(selected, { color: value })
      edited()
    }
  }

  function chooseStrokeWidth(value: number) {
    setStrokeWidth(value)
    if (selected && selected.type !== 'text' && selected.strokeWidth !== value) {
      history.update(selected, { strokeWidth: value })
      edited()
    }
  }

  function onKeyDown(event: KeyboardEvent) {
    const target = event.target as HTMLElement
    if (target.closest('input, textarea, select')) return
    const mod = event.ctrlKey || event.metaKey
    const key = event.key.toLowerCase()
    if (mod && key === 'z') return handled(event, event.shiftKey ? redo : undo)
    if (mod && key === 'y') return handled(event, redo)
    if (mod || event.altKey) return
    if ((event.key === 'Delete' || event.key === 'Backspace') && selected) return handled(event, remove)
    if (event.key === 'Escape') return handled(event, () => setSelectedId(null))
    const arrow = ARROWS[event.key]
    if (arrow && selected) {
      const step = event.shiftKey ? 10 : 1
      return handled(event, () => setNudge((n) => ({ x: (n?.x ?? 0) + arrow.x * step, y: (n?.y ?? 0) + arrow.y * step })))
    }
    if (event.key === '+' || event.key === '=') return handled(event, () => zoom(1))
    if (event.key === '-') return handled(event, () => zoom(-1))
    if (event.key === '0') return handled(event, () => zoom(0))
    const picked = TOOLS.find((t) => t.key === key)
    if (picked) handled(event, () => setTool(picked.tool))
  }

  /** Arrow keys move the selection as the user holds them; the move is one edit, sent when the key is let go. */
  function onKeyUp(event: KeyboardEvent) {
    if (!ARROWS[event.key] || !nudge) return
    if (selected) history.update(selected, dragChanges(selected, 'move', nudge.x, nudge.y))
    setNudge(null)
    edited()
  }

  const status = selected ? `Selected: ${selected.type}${selected.type === 'text' ? ` “${selected.text}”` : ''}` : ''
  return (
    <section className={styles.board} aria-label="Whiteboard" onKeyDown={onKeyDown} onKeyUp={onKeyUp}>
      <Toolbar
        tool={tool}
        color={selected?.color ?? color}
        strokeWidth={selected && selected.type !== 'text' ? selected.strokeWidth : strokeWidth}
        canUndo={history.canUndo}
        canRedo={history.canRedo}
        canDelete={selected !== null}
        canExport={state.shapes.length > 0}
        zoom={viewport.zoom}
        onTool={setTool}
        onColor={chooseColor}
        onStrokeWidth={chooseStrokeWidth}
        onUndo={undo}
        onRedo={redo}
        onDelete={remove}
        onZoom={zoom}
        onExport={() => svgRef.current && void exportPng(svgRef.current, state.shapes, `${roomName || 'board'}.png`)}
      />
      {state.notice && (
        <div className={styles.notice} role="alert">
          <span>{describeRefusal(state.notice)}</span>
          <button type="button" className="btn btn-small btn-ghost" onClick={() => board.dismissNotice()}>
            Dismiss
          </button>
        </div>
      )}
      <div
        className={styles.surface}
        tabIndex={0}
        role="application"
        aria-roledescription="whiteboard"
        aria-label={`Drawing surface, ${state.shapes.length} ${state.shapes.length === 1 ? 'shape' : 'shapes'}`}
        aria-describedby="board-keys"
      >
        <BoardCanvas
          shapes={state.shapes}
          cursors={state.cursors}
          names={names}
          tool={tool}
          style={{ color, strokeWidth }}
          selected={selected}
          nudge={nudge}
          viewport={viewport}
          svgRef={svgRef}
          onViewport={setViewport}
          onSelect={setSelectedId}
          onDrawn={onDrawn}
          onEdited={onEdited}
          onEditText={editText}
          onPointer={(at) => board.moveCursor(at.x, at.y)}
        />
        {textEdit && (
          <TextEditor
            key={textEdit.id ?? `${textEdit.x},${textEdit.y}`}
            edit={textEdit}
            zoom={viewport.zoom}
            screen={{ x: (textEdit.x - viewport.x) * viewport.zoom, y: (textEdit.y - viewport.y) * viewport.zoom }}
            onDone={onTextDone}
            onCancel={() => setTextEdit(null)}
          />
        )}
      </div>
      <p id="board-keys" className="visually-hidden">
        Tools: V select, H pan, R rectangle, O ellipse, A arrow, L line, P pen, T text. With a shape selected: arrow keys move it, Delete
        erases it. Control+Z undoes, Control+Shift+Z redoes; plus and minus zoom.
      </p>
      <div className="visually-hidden" aria-live="polite">
        {status}
      </div>
    </section>
  )
}

function handled(event: KeyboardEvent, action: () => void): void {
  event.preventDefault()
  action()
}
