/**
 * One chat room held in memory: its members and their connections (each member's typing and
 * status in a `MemberPresence`), the fan-out of its log (`RoomLog`, the single writer of its
 * messages) to every connection, and of its whiteboard (`RoomBoard`: shapes, saving, pointers).
 *
 * Transport-free: it talks to `RoomSocket`s, so tests drive it with fake sockets. Expected
 * refusals (empty message, room full, …) are returned as values; the caller turns them into
 * error frames and counts them against the connection.
 */
import type { LoadRoomResponse, NewEntry } from '@scalable-chat/backend-contract/internal'
import {
  CloseCode,
  ErrorCode,
  PROTOCOL_VERSION,
  type ClientMessage,
  type LogWrite,
  type Member,
  type RoomInfo,
  type ServerMessage,
  type SnapshotEvent,
} from '@scalable-chat/protocol'
import type { BackendApi } from '../backendApi/BackendApi.js'
import type { SendRateLimiter } from '../connection/SendRateLimiter.js'
import { exhaustive } from '../exhaustive.js'
import type { Logger } from '../logger.js'
import { jsonArray, jsonObject, jsonText, type JsonText } from './JsonText.js'
import { MemberPresence, type MemberPresenceDeps } from './MemberPresence.js'
import { OfflineMembers } from './OfflineMembers.js'
import { ReadPositions } from './ReadPositions.js'
import type { Outcome } from './Refusal.js'
import { RoomBoard, type BoardAudience } from './RoomBoard.js'
import { announcedLimits, CURSOR_SKIP_BUFFERED_BYTES, type RoomLimits, type RoomMetrics } from './RoomLimits.js'
import { writerOf, type StoredEntry } from './MessageHistory.js'
import { refusalOf, RoomLog, type Refused, type RoomLogListener } from './RoomLog.js'
import type { RoomConnection } from './RoomSocket.js'

export type { Outcome, Refusal } from './Refusal.js'
export type { RoomLimits, RoomMetrics } from './RoomLimits.js'

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
  /** A member's last connection closed at `at` (ISO): for the backend's "last seen" (`SeenReporter`). */
  seen?: (userId: string, at: string) => void
}

interface MemberState {
  /** The member as they are now (`presence.member`), typing, and what the others were told. */
  presence: MemberPresence
  connections: Set<RoomConnection>
}

const OK: Outcome = { ok: true }
const SNAPSHOT_TYPE = jsonText('snapshot')
const PROTOCOL_TEXT = jsonText(PROTOCOL_VERSION)

export class Room implements RoomLogListener, BoardAudience {
  readonly id: string
  private roomInfo: RoomInfo
  private readonly log: RoomLog
  private readonly board: RoomBoard
  private readonly members = new Map<string, MemberState>()
  private readonly offline: OfflineMembers
  private readonly reads: ReadPositions
  private closed = false
  /** Shared by every member's presence: one object and closure per room, not per member. */
  private readonly presenceDeps: MemberPresenceDeps
  /** The limits every snapshot announces, serialised once. */
  private readonly limitsText: JsonText<SnapshotEvent['limits']>

  constructor(private readonly deps: RoomDeps) {
    const { typingTimeoutMs, presenceIntervalMs } = deps.limits
    this.presenceDeps = { typingTimeoutMs, presenceIntervalMs, broadcast: (message, without) => this.broadcast(message, without) }
    const { room } = deps.loaded
    this.id = room.id
    this.roomInfo = { id: room.id, name: room.name, ownerId: room.ownerId }
    this.offline = new OfflineMembers(deps.loaded.members)
    this.limitsText = jsonText(announcedLimits(deps.limits, deps.rateLimiter.limits))
    this.reads = new ReadPositions({ roomId: room.id, host: deps.host, epoch: deps.loaded.epoch, backendApi: deps.backendApi, logger: deps.logger })
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
    this.board = new RoomBoard({
      loaded: deps.loaded,
      host: deps.host,
      backendApi: deps.backendApi,
      limits: deps.limits,
      audience: this,
      logger: deps.logger,
    })
  }

  /** The room as its snapshots describe it. */
  get info(): RoomInfo {
    return this.roomInfo
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
      const member: Member = { userId: connection.userId, username: connection.username, status: 'online', ...(connection.guest ? { guest: true } : {}) }
      state = { presence: new MemberPresence(member, this.presenceDeps), connections: new Set() }
      this.members.set(connection.userId, state)
      this.offline.remove(connection.userId)
    }
    state.connections.add(connection)

    const { messages, changes, resumed } = this.log.snapshotMessages(since)
    const { board, cursors } = this.board.snapshot()
    const you = { userId: connection.userId, username: connection.username, readSeq: this.reads.joined(connection.userId, connection.readSeq ?? 0) }
    const snapshot = jsonObject<SnapshotEvent>({
      type: SNAPSHOT_TYPE,
      protocol: PROTOCOL_TEXT,
      room: jsonText(this.roomInfo),
      you: jsonText(you),
      // Each member's text is kept by their presence: this only joins them.
      members: jsonArray(Array.from(this.members.values(), (member) => member.presence.text)),
      offline: this.offline.text(),
      messages,
      changes,
      board,
      cursors,
      seq: jsonText(this.log.latestSeq),
      resumed: jsonText(resumed),
      limits: this.limitsText,
    })
    // As bytes: the text is a rope of its parts, and ws would otherwise scan it for its length and
    // then again to encode it.
    this.deliver(connection, Buffer.from(snapshot))
    if (isNewMember) this.broadcast({ type: 'user_joined', member: state.presence.member }, connection.userId)
    return OK
  }

  /**
   * Removes a connection (idempotent); `user_left` when it was the user's last one, with when they
   * were last seen, unless they left the room altogether (`member: false`).
   */
  leave(connection: RoomConnection, { member = true } = {}): void {
    const state = this.members.get(connection.userId)
    if (!state?.connections.delete(connection)) return
    if (state.connections.size > 0) return
    state.presence.stopTyping({ now: true })
    state.presence.stop()
    this.members.delete(connection.userId)
    this.board.left(connection.userId)
    this.reads.left(connection.userId)
    const at = new Date().toISOString()
    this.deps.seen?.(connection.userId, at)
    if (member) this.offline.wentOffline(connection.userId, connection.username, at, connection.guest === true)
    this.broadcast({ type: 'user_left', userId: connection.userId, ...(member ? { lastSeenAt: at } : {}) })
    if (this.members.size === 0 && !this.closed) this.deps.owner.roomEmptied(this)
  }

  /**
   * The user left the room (through the backend): their connections close with LEFT_ROOM and the
   * others see them go. `ownerId`: the room changed hands (the owner left), told to everyone left.
   */
  memberLeft(userId: string, ownerId?: string): void {
    if (ownerId !== undefined && ownerId !== this.roomInfo.ownerId) {
      this.roomInfo = { ...this.roomInfo, ownerId }
      this.broadcast({ type: 'room_updated', room: this.roomInfo }, userId)
    }
    const state = this.members.get(userId)
    if (!state) {
      // Not connected (offline, or between reconnects): gone from the offline list too.
      if (this.offline.remove(userId)) this.broadcast({ type: 'user_left', userId })
      return
    }
    for (const connection of [...state.connections]) {
      this.leave(connection, { member: false })
      connection.socket.close(CloseCode.LEFT_ROOM)
    }
  }

  /** Applies one validated client frame from a member connection. */
  async handle(connection: RoomConnection, message: ClientMessage): Promise<Outcome> {
    const state = this.memberState(connection)
    if (!state) return { ok: false, code: ErrorCode.UNAVAILABLE, message: 'not in the room' }
    switch (message.type) {
      case 'send':
      case 'edit':
      case 'delete':
      case 'react':
        return this.write(connection, message)
      case 'typing':
        if (message.typing) state.presence.startTyping()
        else state.presence.stopTyping()
        return OK
      case 'status':
        state.presence.setStatus(message.status)
        return OK
      case 'read': {
        // Only forward; the user's other tabs and devices clear their unread part at once.
        const seq = this.reads.read(connection.userId, message.seq, this.log.latestSeq)
        if (seq !== undefined) this.sendToUser(connection.userId, { type: 'read', seq }, connection)
        return OK
      }
      case 'cursor_move':
      case 'shape_create':
      case 'shape_update':
      case 'shape_delete':
        return this.board.handle(connection, message)
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

  /** The room is moving (drain): board edits are refused from now on, so the last save holds every one acknowledged. */
  freezeBoard(): void {
    this.board.freeze()
  }

  /** Resolves once every accepted message is stored, the board and read positions saved (or the room closed, or a save failed). */
  async flushed(): Promise<void> {
    await Promise.all([this.log.flushed(), this.board.flush(), this.reads.flush()])
  }

  /**
   * Closes every connection with `code` (after sending `event`, if given) and stops writing.
   * Pending messages are not acknowledged: their senders re-send them after reconnecting.
   */
  close(code: CloseCode, event?: ServerMessage): void {
    if (this.closed) return
    this.closed = true
    this.log.stop()
    this.board.stop()
    this.reads.stop()
    const data = event === undefined ? undefined : JSON.stringify(event)
    const at = new Date().toISOString()
    for (const [userId, state] of this.members) {
      state.presence.stop()
      this.deps.seen?.(userId, at)
      for (const connection of state.connections) {
        if (data !== undefined) connection.socket.send(data)
        connection.socket.close(code)
      }
    }
    this.members.clear()
  }

  // RoomLogListener -----------------------------------------------------------------------------

  stored(added: readonly StoredEntry[], repeated: readonly StoredEntry[], refused: readonly Refused[]): void {
    // Many frames to every member: each socket's leave in one write at the end of the turn (WsRoomSocket).
    for (const entry of added) {
      // Everyone, the writer included: to the writer it is the acknowledgement of its clientId.
      const end = this.deps.metrics?.broadcastDuration.startTimer()
      this.broadcast(entry)
      end?.()
      this.deps.metrics?.messagesBroadcast.inc()
    }
    for (const entry of repeated) this.sendToUser(writerOf(entry), entry)
    for (const { entry, code } of refused) this.sendToUser(entry.userId, { type: 'error', ...refusalOf(code), clientId: entry.clientId })
  }

  dropped(entries: readonly NewEntry[]): void {
    for (const entry of entries) {
      const message = entry.kind === 'message' ? 'the message could not be stored' : 'the change could not be stored'
      this.sendToUser(entry.userId, { type: 'error', code: ErrorCode.UNAVAILABLE, message, clientId: entry.clientId })
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

  // BoardAudience -------------------------------------------------------------------------------

  /** To every connection not backing up; the others miss this one (pointer batches, superseded by the next). */
  broadcastDroppable(message: ServerMessage): void {
    const data = Buffer.from(JSON.stringify(message))
    for (const state of this.members.values()) {
      for (const connection of state.connections) {
        if (connection.socket.bufferedAmount <= CURSOR_SKIP_BUFFERED_BYTES) connection.socket.send(data)
      }
    }
  }

  reply(connection: RoomConnection, message: ServerMessage): void {
    this.deliver(connection, JSON.stringify(message))
  }

  // ---------------------------------------------------------------------------------------------

  private async write(connection: RoomConnection, write: LogWrite): Promise<Outcome> {
    const outcome = await this.log.submit(connection, write)
    if (!outcome.ok) return outcome
    // The log answers asynchronously: the connection may have left meanwhile.
    const state = this.memberState(connection)
    if (outcome.state === 'stored') {
      // A retried write whose acknowledgement was missed: the original, to this connection alone.
      if (state) this.reply(connection, outcome.entry)
    } else if (outcome.state === 'queued' && state && write.type === 'send') {
      // At once, not coalesced: the message is on its way (and paced by the message limits).
      state.presence.stopTyping({ now: true })
    }
    return OK
  }

  /** To every connection of the user, except `without`. */
  private sendToUser(userId: string, message: ServerMessage, without?: RoomConnection): void {
    const state = this.members.get(userId)
    if (!state) return
    const data = JSON.stringify(message)
    for (const connection of [...state.connections]) if (connection !== without) this.deliver(connection, data)
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
