/**
 * A room's whiteboard as the room serves it: applies the members' edits to the `Board`, tells
 * the room what to broadcast, saves the board (`BoardSaver`) and batches the pointers (`Cursors`).
 * The room owns the connections; this talks to it through `BoardAudience`, as `RoomLog` talks to
 * it through `RoomLogListener`.
 */
import type { LoadRoomResponse } from '@scalable-chat/backend-contract/internal'
import { ErrorCode, type BoardEdit, type ClientMessage, type ServerMessage, type SnapshotEvent } from '@scalable-chat/protocol'
import type { BackendApi } from '../backendApi/BackendApi.js'
import { exhaustive } from '../exhaustive.js'
import type { Logger } from '../logger.js'
import { Board } from './Board.js'
import { BoardSaver } from './BoardSaver.js'
import { Cursors } from './Cursors.js'
import { jsonText, type JsonText } from './JsonText.js'
import type { Outcome } from './Refusal.js'
import type { RoomConnection } from './RoomSocket.js'

/** What the board needs of its room. */
export interface BoardAudience {
  /** To every member connection. */
  broadcast(message: ServerMessage): void
  /** To every member connection not backing up: the others miss it (a pointer batch, superseded by the next). */
  broadcastDroppable(message: ServerMessage): void
  /** To one connection alone. */
  reply(connection: RoomConnection, message: ServerMessage): void
  /** A save was refused: the room is placed elsewhere now, or deleted. */
  fenced(reason: 'moved' | 'not_found'): void
}

export interface RoomBoardDeps {
  loaded: LoadRoomResponse
  host: string
  backendApi: Pick<BackendApi, 'saveBoard'>
  limits: { cursorIntervalMs: number; cursorIdleMs: number; boardSaveDelayMs: number }
  audience: BoardAudience
  logger: Logger
}

export type BoardMessage = BoardEdit | Extract<ClientMessage, { type: 'cursor_move' }>

const OK: Outcome = { ok: true }

/** An edit that reached a room on its way to another server. */
const MOVING: Outcome = { ok: false, code: ErrorCode.UNAVAILABLE, message: 'the room is moving to another server; send the edit again there' }

export class RoomBoard {
  private readonly board: Board
  private readonly saver: BoardSaver
  private readonly cursors: Cursors
  private boardText: { version: number; text: JsonText<SnapshotEvent['board']> } | undefined
  private frozen = false

  constructor(private readonly deps: RoomBoardDeps) {
    const { loaded, limits, audience } = deps
    this.board = new Board(loaded.board)
    this.saver = new BoardSaver({
      roomId: loaded.room.id,
      host: deps.host,
      epoch: loaded.epoch,
      backendApi: deps.backendApi,
      delayMs: limits.boardSaveDelayMs,
      board: () => this.board.toStored(),
      savedVersion: loaded.board.version,
      fenced: (reason) => audience.fenced(reason),
      logger: deps.logger,
    })
    this.cursors = new Cursors({
      intervalMs: limits.cursorIntervalMs,
      idleMs: limits.cursorIdleMs,
      send: (batch) => audience.broadcastDroppable(batch),
    })
  }

  /**
   * The snapshot's part: the board as it is now (its text serialised once per version: up to
   * 1 MiB of shapes, for every connection that joins), and where the pointers are.
   */
  snapshot(): { board: JsonText<SnapshotEvent['board']>; cursors: JsonText<SnapshotEvent['cursors']> } {
    const { version } = this.board
    if (this.boardText?.version !== version) this.boardText = { version, text: jsonText({ version, shapes: this.board.shapes }) }
    return { board: this.boardText.text, cursors: jsonText(this.cursors.current) }
  }

  /**
   * Applies one edit or pointer move of a member connection. A create or delete seen before (a
   * re-send after a reconnect) changes nothing and is answered to its connection alone.
   */
  handle(connection: RoomConnection, message: BoardMessage): Outcome {
    const by = connection.userId
    const { audience } = this.deps
    if (message.type === 'cursor_move') {
      this.cursors.move(by, message.x, message.y)
      return OK
    }
    if (this.frozen) return MOVING
    const ref = message.ref === undefined ? {} : { ref: message.ref }
    switch (message.type) {
      case 'shape_create': {
        const outcome = this.board.create(by, message.shape)
        if (!outcome.ok) return outcome
        if (outcome.state === 'deleted') audience.reply(connection, { type: 'shape_deleted', id: outcome.id, version: outcome.version, by, ...ref })
        else if (!outcome.fresh) audience.reply(connection, { type: 'shape_created', shape: outcome.shape, ...ref })
        else this.changed({ type: 'shape_created', shape: outcome.shape, ...ref })
        return OK
      }
      case 'shape_update': {
        const outcome = this.board.update(message.id, message.version, message.changes)
        if (!outcome.ok) return outcome
        this.changed({ type: 'shape_updated', id: message.id, changes: outcome.changes, version: outcome.version, by, ...ref })
        return OK
      }
      case 'shape_delete': {
        const outcome = this.board.delete(message.id)
        if (!outcome.ok) return outcome
        const event = { type: 'shape_deleted', id: message.id, version: outcome.version, by, ...ref } satisfies ServerMessage
        if (outcome.fresh) this.changed(event)
        else audience.reply(connection, event)
        return OK
      }
      default:
        return exhaustive(message)
    }
  }

  /** The member's last connection left: their pointer goes. */
  left(userId: string): void {
    this.cursors.remove(userId)
  }

  /**
   * The room is about to move (drain): edits from now on are refused as `unavailable`, so that
   * none is acknowledged after the last save. Their senders send them again on the next server.
   */
  freeze(): void {
    this.frozen = true
  }

  /** Saves now what is unsaved (unload, drain). */
  flush(): Promise<void> {
    return this.saver.flush()
  }

  /** The room closed: no more saves or pointer batches. */
  stop(): void {
    this.saver.stop()
    this.cursors.stop()
  }

  private changed(event: ServerMessage): void {
    this.deps.audience.broadcast(event)
    this.saver.changed(this.board.version)
  }
}
