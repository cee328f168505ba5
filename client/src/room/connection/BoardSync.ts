/**
 * The room's whiteboard over the room's connection: this user's edits go out (drawn at once,
 * settled by their answer), the server's deltas and pointers come in. `ChatConnection` owns one
 * and hands it the board's frames; the board view reads it with `useSyncExternalStore` like the
 * chat reads `ChatConnection`, and calls `create`, `update`, `remove` and `moveCursor`.
 *
 * Two rules make own edits converge with everyone's:
 * - An update names the shape's version it was made on, and the server refuses a change to a
 *   field group changed since. So this client keeps one edit of a shape in flight: the next
 *   waits for the answer to the previous one, and goes with the version that answer brought
 *   (else a quick second move would be refused as stale by the first).
 * - After a reconnect every unanswered edit goes again with its ref: creates and deletes are
 *   applied once by id, an update is applied again to the same values.
 */
import type { ShapeChanges, ShapeInput } from '@scalable-chat/backend-contract'
import { ErrorCode, DEFAULT_LIMITS } from '@scalable-chat/protocol/codes'
import type { BoardEdit, ClientMessage, ServerMessage, SnapshotEvent } from '@scalable-chat/protocol'
import type { Refusal } from './chatReducer.js'
import { initialBoardState, reduceBoard, type BoardEvent, type BoardState, type PendingEdit } from './boardReducer.js'

export type { BoardState, PendingEdit } from './boardReducer.js'

/** The board's frames from the server. */
export type BoardFrame = Extract<ServerMessage, { type: 'shape_created' | 'shape_updated' | 'shape_deleted' | 'cursors' }>

/**
 * A rate-limited edit goes again after this long (the allowance refills every second); one refused
 * as `unavailable` (its room is moving to another server) goes after the next snapshot at the latest.
 */
const RATE_LIMITED_RETRY_MS = 1000

/** Refusals of an edit sent again after a reconnect that only say the first one was applied. */
const SETTLED_BY_FIRST_SEND: readonly string[] = [ErrorCode.STALE_UPDATE, ErrorCode.SHAPE_NOT_FOUND, ErrorCode.SHAPE_EXISTS]

export interface BoardSyncOptions {
  /** Sends a frame if the link is live; false when it is not (the edit then waits for the next snapshot). */
  transmit: (frame: ClientMessage) => boolean
  createRef: () => string
}

export class BoardSync {
  private state = initialBoardState()
  private readonly listeners = new Set<() => void>()
  private cursorIntervalMs: number = DEFAULT_LIMITS.cursorIntervalMs
  private lastCursorSentAt = -Infinity
  private nextCursor: { x: number; y: number } | null = null
  private cursorTimer: ReturnType<typeof setTimeout> | undefined
  private retryTimer: ReturnType<typeof setTimeout> | undefined
  private disposed = false

  constructor(private readonly options: BoardSyncOptions) {}

  getState = (): BoardState => this.state

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  // Actions -------------------------------------------------------------------------------------

  /** Adds a shape (the caller picks its id, see `newShapeId`). */
  create(shape: ShapeInput): void {
    this.edit({ type: 'shape_create', shape })
  }

  /** Changes a shape; the version it was made on is filled in when it goes. */
  update(id: string, changes: ShapeChanges): void {
    if (!this.state.shapes.some((s) => s.id === id)) return
    this.edit({ type: 'shape_update', id, version: 0, changes })
  }

  remove(id: string): void {
    if (!this.state.shapes.some((s) => s.id === id)) return
    this.edit({ type: 'shape_delete', id })
  }

  /** Where this user's pointer is on the board: sent at most once per the server's interval, the latest position last. */
  moveCursor(x: number, y: number): void {
    if (this.disposed) return
    this.nextCursor = { x: Math.round(x * 10) / 10, y: Math.round(y * 10) / 10 }
    if (this.cursorTimer !== undefined) return
    const wait = this.lastCursorSentAt + this.cursorIntervalMs - Date.now()
    if (wait <= 0) this.flushCursor()
    else this.cursorTimer = setTimeout(() => this.flushCursor(), wait)
  }

  dismissNotice(): void {
    this.dispatch({ type: 'notice', notice: null })
  }

  // From the connection -------------------------------------------------------------------------

  snapshot(frame: SnapshotEvent): void {
    this.cursorIntervalMs = frame.limits.cursorIntervalMs
    this.dispatch({ type: 'snapshot', board: frame.board, cursors: frame.cursors, you: frame.you.userId })
    this.pump()
  }

  frame(frame: BoardFrame): void {
    this.dispatch(frame)
    if (frame.type !== 'cursors' && frame.ref !== undefined) this.pump()
  }

  /** A refusal naming `ref`: true when it answered one of this board's edits. */
  refused(ref: string, refusal: Refusal): boolean {
    const pending = this.state.pending.find((p) => p.ref === ref)
    if (!pending) return false
    if (refusal.code === ErrorCode.RATE_LIMITED || refusal.code === ErrorCode.UNAVAILABLE) {
      this.dispatch({ type: 'edit_deferred', ref })
      this.retryTimer ??= setTimeout(() => {
        this.retryTimer = undefined
        this.pump()
      }, RATE_LIMITED_RETRY_MS)
      return true
    }
    const quiet = pending.resent && SETTLED_BY_FIRST_SEND.includes(refusal.code)
    this.dispatch({ type: 'edit_refused', ref, notice: quiet ? null : refusal })
    this.pump()
    return true
  }

  /** The link is not live: what was in flight goes again after the next snapshot. */
  dropped(): void {
    clearTimeout(this.cursorTimer)
    this.cursorTimer = undefined
    this.nextCursor = null
    if (this.state.pending.length > 0 || this.state.cursors.size > 0) this.dispatch({ type: 'dropped' })
  }

  dispose(): void {
    this.dropped()
    clearTimeout(this.retryTimer)
    this.disposed = true
    this.listeners.clear()
  }

  // Sending -------------------------------------------------------------------------------------

  private edit(edit: BoardEdit): void {
    if (this.disposed) return
    this.dispatch({ type: 'edit_made', edit: { ref: this.options.createRef(), edit, sent: false, resent: false } })
    this.pump()
  }

  /** Sends every pending edit that may go now, in order. */
  private pump(): void {
    const inFlight = new Set<string>()
    const sent: string[] = []
    for (const pending of this.state.pending) {
      const id = shapeIdOf(pending.edit)
      if (!pending.sent && !(pending.edit.type === 'shape_update' && inFlight.has(id))) {
        if (!this.options.transmit(this.frameOf(pending))) break
        sent.push(pending.ref)
      }
      inFlight.add(id)
    }
    if (sent.length > 0) this.dispatch({ type: 'edits_sent', refs: sent })
  }

  private frameOf({ edit, ref }: PendingEdit): BoardEdit {
    if (edit.type !== 'shape_update') return { ...edit, ref }
    // Made on the version the server last said: after the answer to this user's previous edit of it.
    return { ...edit, version: this.state.confirmed.get(edit.id)?.version ?? 0, ref }
  }

  private flushCursor(): void {
    this.cursorTimer = undefined
    const cursor = this.nextCursor
    this.nextCursor = null
    if (!cursor) return
    if (this.options.transmit({ type: 'cursor_move', ...cursor })) this.lastCursorSentAt = Date.now()
  }

  private dispatch(event: BoardEvent): void {
    if (this.disposed) return
    const next = reduceBoard(this.state, event)
    if (next === this.state) return
    this.state = next
    for (const listener of this.listeners) listener()
  }
}

function shapeIdOf(edit: BoardEdit): string {
  return edit.type === 'shape_create' ? edit.shape.id : edit.id
}
