/**
 * The room's whiteboard as this client shows it, and the one function that changes it:
 * `reduceBoard(state, event)`, pure like `reduceChat`. The server's shapes (`confirmed`) are what
 * it last said; this user's own edits it has not answered yet (`pending`) are drawn on top of
 * them, so a stroke shows the instant it is drawn. An edit leaves `pending` when its answer comes
 * back with its `ref` (the server's delta, or a refusal that undoes it on screen); a snapshot
 * replaces `confirmed` and keeps `pending`, which `BoardSync` sends again.
 *
 * The board lives apart from `ChatState`: pointers change 20 times a second, and the chat has no
 * reason to re-render for them.
 */
import type { Shape, ShapeChanges } from '@scalable-chat/backend-contract'
import type { BoardEdit, Cursor, ServerMessage, SnapshotEvent } from '@scalable-chat/protocol'
import type { Refusal } from './chatReducer.js'

/** One of this user's edits the server has not answered yet. */
export interface PendingEdit {
  ref: string
  edit: BoardEdit
  /** On the wire (false: waiting for an earlier edit of the same shape, or for a reconnect). */
  sent: boolean
  /** Sent again after a reconnect: a refusal may only mean it was applied the first time. */
  resent: boolean
}

export interface Point2 {
  x: number
  y: number
}

export interface BoardState {
  /** The board version the server last announced. */
  version: number
  /** The board as the server last said, in drawing order (oldest first). */
  confirmed: ReadonlyMap<string, Shape>
  pending: readonly PendingEdit[]
  /** What to draw: `confirmed` with `pending` applied, oldest first. */
  shapes: readonly Shape[]
  /** The other members' pointers, by userId (this user's own is drawn by the browser). */
  cursors: ReadonlyMap<string, Point2>
  /** This user's id, from the snapshot: a shape created here and not yet answered is theirs. */
  you: string | null
  /** The latest edit of this user the server refused, for the board to say why. */
  notice: Refusal | null
}

type ShapeDelta = Extract<ServerMessage, { type: 'shape_created' | 'shape_updated' | 'shape_deleted' }>

export type BoardEvent =
  | { type: 'snapshot'; board: SnapshotEvent['board']; cursors: Cursor[]; you: string }
  | ShapeDelta
  | Extract<ServerMessage, { type: 'cursors' }>
  | { type: 'edit_made'; edit: PendingEdit }
  | { type: 'edits_sent'; refs: readonly string[] }
  /** The link dropped: every pending edit waits for the next snapshot, pointers are forgotten. */
  | { type: 'dropped' }
  /** `notice` is null for a refusal nobody needs to hear about (see BoardSync). */
  | { type: 'edit_refused'; ref: string; notice: Refusal | null }
  /** A rate-limited edit goes again later: it stays pending, unsent. */
  | { type: 'edit_deferred'; ref: string }
  | { type: 'notice'; notice: Refusal | null }

export function initialBoardState(): BoardState {
  return { version: 0, confirmed: new Map(), pending: [], shapes: [], cursors: new Map(), you: null, notice: null }
}

export function reduceBoard(state: BoardState, event: BoardEvent): BoardState {
  switch (event.type) {
    case 'snapshot': {
      const confirmed = new Map(event.board.shapes.map((shape) => [shape.id, shape]))
      const cursors = new Map(event.cursors.filter((c) => c.userId !== event.you).map((c) => [c.userId, { x: c.x, y: c.y }]))
      return withShapes({ ...state, version: event.board.version, confirmed, cursors, you: event.you })
    }
    case 'shape_created':
    case 'shape_updated':
    case 'shape_deleted':
      return delta(state, event)
    case 'cursors':
      return pointers(state, event.moved, event.gone)
    case 'edit_made':
      return withShapes({ ...state, pending: [...state.pending, event.edit] })
    case 'edits_sent': {
      const sent = new Set(event.refs)
      return { ...state, pending: state.pending.map((p) => (sent.has(p.ref) ? { ...p, sent: true } : p)) }
    }
    case 'dropped':
      return {
        ...state,
        pending: state.pending.map((p) => ({ ...p, sent: false, resent: p.resent || p.sent })),
        cursors: state.cursors.size === 0 ? state.cursors : new Map(),
      }
    case 'edit_refused':
      return withShapes({ ...state, pending: state.pending.filter((p) => p.ref !== event.ref), notice: event.notice ?? state.notice })
    case 'edit_deferred':
      return { ...state, pending: state.pending.map((p) => (p.ref === event.ref ? { ...p, sent: false } : p)) }
    case 'notice':
      return state.notice === event.notice ? state : { ...state, notice: event.notice }
    default:
      return event satisfies never
  }
}

/** Applies a server delta to `confirmed`, and settles the pending edit it answers. */
function delta(state: BoardState, event: ShapeDelta): BoardState {
  const confirmed = new Map(state.confirmed)
  switch (event.type) {
    case 'shape_created':
      confirmed.set(event.shape.id, event.shape)
      break
    case 'shape_updated': {
      const shape = confirmed.get(event.id)
      if (shape) confirmed.set(event.id, mergeChanges(shape, event.changes, event.version))
      break
    }
    case 'shape_deleted':
      confirmed.delete(event.id)
      break
  }
  const version = Math.max(state.version, event.type === 'shape_created' ? event.shape.version : event.version)
  const pending = event.ref === undefined ? state.pending : state.pending.filter((p) => p.ref !== event.ref)
  return withShapes({ ...state, version, confirmed, pending })
}

function pointers(state: BoardState, moved: Cursor[], gone: string[]): BoardState {
  const cursors = new Map(state.cursors)
  for (const cursor of moved) if (cursor.userId !== state.you) cursors.set(cursor.userId, { x: cursor.x, y: cursor.y })
  for (const userId of gone) cursors.delete(userId)
  return { ...state, cursors }
}

/** A shape with `changes` applied; the type's own fields are the only ones a client changes. */
export function mergeChanges(shape: Shape, changes: ShapeChanges, version = shape.version): Shape {
  const merged: Record<string, unknown> = { ...shape, version }
  for (const [key, value] of Object.entries(changes)) if (value !== undefined) merged[key] = value
  return merged as Shape
}

function withShapes(state: BoardState): BoardState {
  return { ...state, shapes: drawn(state.confirmed, state.pending, state.you ?? '') }
}

/** `confirmed` with the pending edits applied in the order they were made. */
function drawn(confirmed: ReadonlyMap<string, Shape>, pending: readonly PendingEdit[], you: string): Shape[] {
  if (pending.length === 0) return [...confirmed.values()]
  const shapes = new Map(confirmed)
  for (const { edit } of pending) {
    switch (edit.type) {
      case 'shape_create':
        if (!shapes.has(edit.shape.id)) shapes.set(edit.shape.id, { ...edit.shape, author: you, version: 0 } as Shape)
        break
      case 'shape_update': {
        const shape = shapes.get(edit.id)
        if (shape) shapes.set(edit.id, mergeChanges(shape, edit.changes))
        break
      }
      case 'shape_delete':
        shapes.delete(edit.id)
        break
    }
  }
  return [...shapes.values()]
}
