/**
 * One chat room held in memory: its members and their connections, typing and status, the
 * fan-out of its log (`RoomLog`, the single writer of its messages) to every connection, and its
 * whiteboard (`Board`, saved by `BoardSaver`) with the members' pointers (`Cursors`).
 *
 * Transport-free: it talks to `RoomSocket`s, so tests drive it with fake sockets. Expected
 * refusals (empty message, room full, …) are returned as values; the caller turns them into
 * error frames and counts them against the connection.
 */
import type { ChatMessage } from '@scalable-chat/backend-contract'
import type { LoadRoomResponse, NewMessage } from '@scalable-chat/backend-contract/internal'
import {
  CloseCode,
  ErrorCode,
  PROTOCOL_VERSION,
  type BoardEdit,
  type ClientMessage,
  type Member,
  type MemberStatus,
  type RoomInfo,
  type ServerMessage,
} from '@scalable-chat/protocol'
import type { BackendApi } from '../backendApi/BackendApi.js'
import type { SendRateLimiter } from '../connection/SendRateLimiter.js'
import { exhaustive } from '../exhaustive.js'
import type { Logger } from '../logger.js'
import { Board } from './Board.js'
import { BoardSaver } from './BoardSaver.js'
import { Cursors } from './Cursors.js'
import type { Outcome } from './Refusal.js'
import { RoomLog, type RoomLogListener, type RoomLogMetrics } from './RoomLog.js'
import type { RoomConnection, RoomSocket } from './RoomSocket.js'

export type { Outcome, Refusal } from './Refusal.js'

export interface RoomLimits {
  maxUsers: number
  maxMessageLength: number
  maxBufferedBytes: number
  typingTimeoutMs: number
  /**
   * A member's typing and status changes reach the others at most once per this interval,
   * carrying the latest state: a storm of toggles becomes at most two broadcasts per interval,
   * and a toggle undone within it none at all.
   */
  presenceIntervalMs: number
  /** Board pointers go out batched, once per this interval. */
  cursorIntervalMs: number
  /** A pointer that has not moved for this long goes. */
  cursorIdleMs: number
  /** A changed board is saved at most this long after its first unsaved change. */
  boardSaveDelayMs: number
  /** The largest frame the server reads (`MAX_PAYLOAD_BYTES`), announced so clients size their edits. */
  maxFrameBytes: number
}

/**
 * A pointer batch is skipped for a connection with more than this waiting to be written: the
 * next batch carries newer positions anyway, so it is dropped rather than queued.
 */
const CURSOR_SKIP_BUFFERED_BYTES = 64 * 1024

/** What a room reports for `/metrics` (a subset of `SessionMetrics`; optional so tests may omit it). */
export interface RoomMetrics extends RoomLogMetrics {
  messagesBroadcast: { inc(value?: number): void }
  broadcastDuration: { startTimer(): () => unknown }
}

/** The registry's side of a room: told when it empties, and when it closed itself. */
export interface RoomOwner {
  /** The last connection left (the registry starts the unload grace period). */
  roomEmptied(room: Room): void
  /** The room closed itself (fenced or deleted) and must be forgotten without a release. */
  roomClosed(room: Room): void
}

export interface RoomDeps {
  loaded: LoadRoomResponse
  /** This server's public host: the fencing identity of every write. */
  host: string
  backendApi: BackendApi
  rateLimiter: SendRateLimiter
  limits: RoomLimits
  owner: RoomOwner
  logger: Logger
  metrics?: RoomMetrics
}

interface MemberState {
  /** The member as they are now (the snapshot's truth). */
  member: Member
  connections: Set<RoomConnection>
  typing: boolean
  typingTimer: NodeJS.Timeout | undefined
  /** What the others were last told of this member's typing and status, and when. */
  told: { typing: boolean; status: MemberStatus; at: number }
  /** A coalesced announcement waiting for the interval to pass. */
  presenceTimer: NodeJS.Timeout | undefined
}

const OK: Outcome = { ok: true }

export class Room implements RoomLogListener {
  readonly id: string
  readonly info: RoomInfo
  private readonly log: RoomLog
  private readonly board: Board
  private readonly boardSaver: BoardSaver
  private readonly cursors: Cursors
  private readonly members = new Map<string, MemberState>()
  private closed = false

  constructor(private readonly deps: RoomDeps) {
    const { room } = deps.loaded
    this.id = room.id
    this.info = { id: room.id, name: room.name, ownerId: room.ownerId }
    this.log = new RoomLog({
      loaded: deps.loaded,
      host: deps.host,
      backendApi: deps.backendApi,
      rateLimiter: deps.rateLimiter,
      maxMessageLength: deps.limits.maxMessageLength,
      listener: this,
      logger: deps.logger,
      metrics: deps.metrics,
    })
    this.board = new Board(deps.loaded.board)
    this.boardSaver = new BoardSaver({
      roomId: room.id,
      host: deps.host,
      epoch: deps.loaded.epoch,
      backendApi: deps.backendApi,
      delayMs: deps.limits.boardSaveDelayMs,
      board: () => this.board.toStored(),
      savedVersion: deps.loaded.board.version,
      fenced: (reason) => this.fenced(reason),
      logger: deps.logger,
    })
    this.cursors = new Cursors({
      intervalMs: deps.limits.cursorIntervalMs,
      idleMs: deps.limits.cursorIdleMs,
      send: (batch) => this.broadcastDroppable(batch),
    })
  }

  get epoch(): number {
    return this.log.epoch
  }

  get latestSeq(): number {
    return this.log.latestSeq
  }

  get connectionCount(): number {
    let count = 0
    for (const state of this.members.values()) count += state.connections.size
    return count
  }

  get memberCount(): number {
    return this.members.size
  }

  get isClosed(): boolean {
    return this.closed
  }

  /** Messages accepted but not yet stored. */
  get pendingCount(): number {
    return this.log.pendingCount
  }

  /**
   * Adds a connection and sends it the snapshot; the other members get `user_joined` when this is
   * the user's first connection. `since` asks for exactly the messages after that seq.
   */
  join(connection: RoomConnection, since?: number): Outcome {
    if (this.closed) return { ok: false, code: ErrorCode.UNAVAILABLE, message: 'room is closed', close: CloseCode.ROOM_MOVED }
    let state = this.members.get(connection.userId)
    const isNewMember = state === undefined
    if (state === undefined) {
      if (this.members.size >= this.deps.limits.maxUsers) {
        return { ok: false, code: ErrorCode.ROOM_FULL, message: 'the room is full', close: CloseCode.ROOM_FULL }
      }
      state = {
        member: { userId: connection.userId, username: connection.username, status: 'online' },
        connections: new Set(),
        typing: false,
        typingTimer: undefined,
        told: { typing: false, status: 'online', at: -Infinity },
        presenceTimer: undefined,
      }
      this.members.set(connection.userId, state)
    }
    state.connections.add(connection)

    const { messages, resumed } = this.log.snapshotMessages(since)
    this.deliver(
      connection,
      JSON.stringify({
        type: 'snapshot',
        protocol: PROTOCOL_VERSION,
        room: this.info,
        you: { userId: connection.userId, username: connection.username },
        members: [...this.members.values()].map((s) => s.member),
        messages,
        board: { version: this.board.version, shapes: this.board.shapes },
        cursors: this.cursors.current,
        seq: this.log.latestSeq,
        resumed,
        limits: {
          maxMessageLength: this.deps.limits.maxMessageLength,
          typingTimeoutMs: this.deps.limits.typingTimeoutMs,
          cursorIntervalMs: this.deps.limits.cursorIntervalMs,
          maxFrameBytes: this.deps.limits.maxFrameBytes,
          ...this.deps.rateLimiter.limits,
        },
      } satisfies ServerMessage),
    )
    if (isNewMember) this.broadcast({ type: 'user_joined', member: state.member }, connection.userId)
    return OK
  }

  /** Removes a connection (idempotent); `user_left` when it was the user's last one. */
  leave(connection: RoomConnection): void {
    const state = this.members.get(connection.userId)
    if (!state?.connections.delete(connection)) return
    if (state.connections.size > 0) return
    this.stopTyping(state, { now: true })
    if (state.presenceTimer) clearTimeout(state.presenceTimer)
    this.members.delete(connection.userId)
    this.cursors.remove(connection.userId)
    this.broadcast({ type: 'user_left', userId: connection.userId })
    if (this.members.size === 0 && !this.closed) this.deps.owner.roomEmptied(this)
  }

  /** Applies one validated client frame from a member connection. */
  async handle(connection: RoomConnection, message: ClientMessage): Promise<Outcome> {
    const state = this.memberState(connection)
    if (!state) return { ok: false, code: ErrorCode.UNAVAILABLE, message: 'not in the room' }
    switch (message.type) {
      case 'send':
        return this.send(connection, message.clientId, message.text)
      case 'typing':
        if (message.typing) this.startTyping(state)
        else this.stopTyping(state)
        return OK
      case 'status':
        this.setStatus(state, message.status)
        return OK
      case 'cursor_move':
        this.cursors.move(connection.userId, message.x, message.y)
        return OK
      case 'shape_create':
      case 'shape_update':
      case 'shape_delete':
        return this.edit(connection, message)
      default:
        return exhaustive(message)
    }
  }

  /**
   * Serialises once and writes the same bytes to every member connection, except those of the
   * user `without`.
   */
  broadcast(message: ServerMessage, without?: string): void {
    const data = Buffer.from(JSON.stringify(message))
    for (const [userId, state] of [...this.members]) {
      if (userId === without) continue
      for (const connection of [...state.connections]) this.deliver(connection, data)
    }
  }

  /** Resolves once every accepted message is stored and the board saved (or the room closed, or a save failed). */
  async flushed(): Promise<void> {
    await Promise.all([this.log.flushed(), this.boardSaver.flush()])
  }

  /**
   * Closes every connection with `code` (after sending `event`, if given) and stops writing.
   * Pending messages are not acknowledged: their senders re-send them after reconnecting.
   */
  close(code: CloseCode, event?: ServerMessage): void {
    if (this.closed) return
    this.closed = true
    this.log.stop()
    this.boardSaver.stop()
    this.cursors.stop()
    const data = event === undefined ? undefined : JSON.stringify(event)
    for (const state of this.members.values()) {
      if (state.typingTimer) clearTimeout(state.typingTimer)
      if (state.presenceTimer) clearTimeout(state.presenceTimer)
      for (const connection of state.connections) {
        if (data !== undefined) connection.socket.send(data)
        connection.socket.close(code)
      }
    }
    this.members.clear()
  }

  // RoomLogListener -----------------------------------------------------------------------------

  stored(added: readonly ChatMessage[], repeated: readonly ChatMessage[]): void {
    this.corked(() => {
      for (const message of added) {
        // Everyone, the sender included: to the sender it is the acknowledgement of its clientId.
        const end = this.deps.metrics?.broadcastDuration.startTimer()
        this.broadcast({ type: 'message', message })
        end?.()
        this.deps.metrics?.messagesBroadcast.inc()
      }
      for (const message of repeated) this.sendToUser(message.userId, { type: 'message', message })
    })
  }

  dropped(messages: readonly NewMessage[]): void {
    for (const message of messages) {
      this.sendToUser(message.userId, {
        type: 'error',
        code: ErrorCode.UNAVAILABLE,
        message: 'the message could not be stored',
        clientId: message.clientId,
      })
    }
  }

  fenced(reason: 'moved' | 'not_found' | 'unreadable'): void {
    // `unreadable`: the batch was stored but this room's seq is stale; clients re-join a reload.
    this.close(reason === 'not_found' ? CloseCode.ROOM_DELETED : CloseCode.ROOM_MOVED)
    this.deps.owner.roomClosed(this)
  }

  // ---------------------------------------------------------------------------------------------

  private memberState(connection: RoomConnection): MemberState | undefined {
    const state = this.members.get(connection.userId)
    return !this.closed && state?.connections.has(connection) ? state : undefined
  }

  /**
   * Applies one board edit and tells the room what changed. A create or delete seen before (a
   * re-send after a reconnect) changes nothing and is answered to its connection alone.
   */
  private edit(connection: RoomConnection, edit: BoardEdit): Outcome {
    const by = connection.userId
    const ref = edit.ref === undefined ? {} : { ref: edit.ref }
    switch (edit.type) {
      case 'shape_create': {
        const outcome = this.board.create(by, edit.shape)
        if (!outcome.ok) return outcome
        if (outcome.state === 'deleted') {
          this.deliver(connection, JSON.stringify({ type: 'shape_deleted', id: outcome.id, version: outcome.version, by, ...ref } satisfies ServerMessage))
        } else if (!outcome.fresh) {
          this.deliver(connection, JSON.stringify({ type: 'shape_created', shape: outcome.shape, ...ref } satisfies ServerMessage))
        } else {
          this.boardChanged({ type: 'shape_created', shape: outcome.shape, ...ref })
        }
        return OK
      }
      case 'shape_update': {
        const outcome = this.board.update(edit.id, edit.version, edit.changes)
        if (!outcome.ok) return outcome
        this.boardChanged({ type: 'shape_updated', id: edit.id, changes: outcome.changes, version: outcome.version, by, ...ref })
        return OK
      }
      case 'shape_delete': {
        const outcome = this.board.delete(edit.id)
        if (!outcome.ok) return outcome
        const event = { type: 'shape_deleted', id: edit.id, version: outcome.version, by, ...ref } satisfies ServerMessage
        if (outcome.fresh) this.boardChanged(event)
        else this.deliver(connection, JSON.stringify(event))
        return OK
      }
      default:
        return exhaustive(edit)
    }
  }

  private boardChanged(event: ServerMessage): void {
    this.broadcast(event)
    this.boardSaver.changed(this.board.version)
  }

  /** To every connection not backing up; the others miss this one (pointer batches, superseded by the next). */
  private broadcastDroppable(message: ServerMessage): void {
    const data = Buffer.from(JSON.stringify(message))
    for (const state of this.members.values()) {
      for (const connection of state.connections) {
        if (connection.socket.bufferedAmount <= CURSOR_SKIP_BUFFERED_BYTES) connection.socket.send(data)
      }
    }
  }

  private async send(connection: RoomConnection, clientId: string, text: string): Promise<Outcome> {
    const outcome = await this.log.submit(connection, clientId, text)
    if (!outcome.ok) return outcome
    // The log answers asynchronously: the connection may have left meanwhile.
    const state = this.memberState(connection)
    if (outcome.state === 'stored') {
      // A retried send whose acknowledgement was missed: the original, to this connection alone.
      if (state) this.deliver(connection, JSON.stringify({ type: 'message', message: outcome.message } satisfies ServerMessage))
    } else if (outcome.state === 'queued' && state) {
      // At once, not coalesced: the message is on its way (and paced by the message limits).
      this.stopTyping(state, { now: true })
    }
    return OK
  }

  /**
   * Runs `write` with every member socket corked. A stored batch is many frames to each member;
   * corked, they leave each socket in ONE write instead of one per frame. The profile of the
   * fan-out benchmark is mostly `writev` system calls, so this, not the JSON, is what fan-out costs.
   */
  private corked(write: () => void): void {
    const sockets: RoomSocket[] = []
    for (const state of this.members.values()) for (const connection of state.connections) sockets.push(connection.socket)
    for (const socket of sockets) socket.cork?.()
    try {
      write()
    } finally {
      // The same sockets, even if some left meanwhile: every cork needs its uncork.
      for (const socket of sockets) socket.uncork?.()
    }
  }

  private setStatus(state: MemberState, status: MemberStatus): void {
    if (state.member.status === status) return
    state.member = { ...state.member, status }
    this.announcePresence(state)
  }

  private startTyping(state: MemberState): void {
    if (state.typingTimer) clearTimeout(state.typingTimer)
    // Typing indicators expire on their own: a client that crashes mid-word must not type forever.
    state.typingTimer = setTimeout(() => this.stopTyping(state), this.deps.limits.typingTimeoutMs)
    if (state.typing) return
    state.typing = true
    this.announcePresence(state)
  }

  /** `now`: tell the others at once (a message was sent, the member left) instead of coalescing. */
  private stopTyping(state: MemberState, { now = false } = {}): void {
    if (state.typingTimer) clearTimeout(state.typingTimer)
    state.typingTimer = undefined
    if (!state.typing) return
    state.typing = false
    if (now) this.tellPresence(state)
    else this.announcePresence(state)
  }

  /** Tells the others now, or once `presenceIntervalMs` has passed since they were last told. */
  private announcePresence(state: MemberState): void {
    if (state.presenceTimer) return
    const wait = state.told.at + this.deps.limits.presenceIntervalMs - Date.now()
    if (wait <= 0) return this.tellPresence(state)
    state.presenceTimer = setTimeout(() => {
      state.presenceTimer = undefined
      if (!this.closed && this.members.get(state.member.userId) === state) this.tellPresence(state)
    }, wait)
  }

  /** Broadcasts whatever of typing and status differs from what the others were last told. */
  private tellPresence(state: MemberState): void {
    const { userId, username, status } = state.member
    let told = false
    if (state.told.typing !== state.typing) {
      // Not to the typist's own connections: they know.
      this.broadcast({ type: 'typing', userId, username, typing: state.typing }, userId)
      told = true
    }
    if (state.told.status !== status) {
      // To everyone, the member's other tabs included: the status is the member's, not the tab's.
      this.broadcast({ type: 'status', userId, status })
      told = true
    }
    if (told) state.told = { typing: state.typing, status, at: Date.now() }
  }

  private sendToUser(userId: string, message: ServerMessage): void {
    const state = this.members.get(userId)
    if (!state) return
    const data = JSON.stringify(message)
    for (const connection of [...state.connections]) this.deliver(connection, data)
  }

  /** Writes a frame unless the client is too far behind, in which case it is dropped, not buffered. */
  private deliver(connection: RoomConnection, data: string | Buffer): void {
    if (connection.socket.bufferedAmount > this.deps.limits.maxBufferedBytes) {
      this.deps.logger.info({ roomId: this.id, connectionId: connection.id }, 'client too slow; closing')
      this.leave(connection)
      connection.socket.close(CloseCode.TOO_SLOW)
      return
    }
    connection.socket.send(data)
  }
}
