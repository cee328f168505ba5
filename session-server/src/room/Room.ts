/**
 * One chat room held in memory: its members and their connections, the recent history, typing
 * and status, and the single writer of its messages (group commit through the backend).
 *
 * Transport-free: it talks to `RoomSocket`s, so tests drive it with fake sockets. Expected
 * refusals (empty message, room full, …) are returned as values; the caller turns them into
 * error frames and counts them against the connection.
 */
import { randomUUID } from 'node:crypto'
import type { ChatMessage } from '@scalable-chat/backend-contract'
import { clientKey, type CommitResponse, type LoadRoomResponse, type NewMessage } from '@scalable-chat/backend-contract/internal'
import {
  CloseCode,
  CloseReason,
  ErrorCode,
  PROTOCOL_VERSION,
  SNAPSHOT_MESSAGES,
  type ClientMessage,
  type Member,
  type MemberStatus,
  type RoomInfo,
  type ServerMessage,
} from '@scalable-chat/protocol'
import type { BackendApi } from '../backendApi/BackendApi.js'
import { exhaustive } from '../exhaustive.js'
import type { Logger } from '../logger.js'
import { GroupCommitter } from './GroupCommitter.js'
import { MessageHistory } from './MessageHistory.js'
import type { RoomConnection, RoomSocket } from './RoomSocket.js'
import { sanitizeText } from './sanitizeText.js'

/** Messages a room accepts while earlier ones are not stored yet; beyond it sends get `unavailable`. */
export const MAX_PENDING_MESSAGES = 1000

export interface RoomLimits {
  maxUsers: number
  maxMessageLength: number
  maxBufferedBytes: number
  typingTimeoutMs: number
}

/** What a room reports for `/metrics` (a subset of `SessionMetrics`; optional so tests may omit it). */
export interface RoomMetrics {
  messagesReceived: { inc(): void }
  messagesBroadcast: { inc(value?: number): void }
  broadcastDuration: { startTimer(): () => unknown }
  commitBatchSize: { observe(value: number): void }
  commitDuration: { startTimer(): () => unknown }
}

export interface RoomDeps {
  loaded: LoadRoomResponse
  /** This server's public host: the fencing identity of every write. */
  host: string
  backendApi: BackendApi
  limits: RoomLimits
  logger: Logger
  metrics?: RoomMetrics
  /** The last connection left (the registry starts the unload grace period). */
  onEmpty(room: Room): void
  /** The room closed itself (fenced or deleted) and must be forgotten without a release. */
  onClosed(room: Room): void
}

export type Refusal = { ok: false; code: ErrorCode; message: string; close?: CloseCode }
export type Outcome = { ok: true } | Refusal

interface MemberState {
  member: Member
  connections: Set<RoomConnection>
  typingTimer: NodeJS.Timeout | undefined
}

export class Room {
  readonly id: string
  readonly info: RoomInfo
  readonly epoch: number
  private seq: number
  private readonly history: MessageHistory
  private readonly members = new Map<string, MemberState>()
  /** `(userId, clientId)` of every message pending or in flight: a re-send of one is ignored. */
  private readonly unstored = new Set<string>()
  private readonly committer: GroupCommitter
  private closed = false

  constructor(private readonly deps: RoomDeps) {
    const { room, epoch, seq, messages } = deps.loaded
    this.id = room.id
    this.info = { id: room.id, name: room.name, ownerId: room.ownerId }
    this.epoch = epoch
    this.seq = seq
    this.history = new MessageHistory(messages)
    this.committer = new GroupCommitter({
      commit: async (batch) => {
        deps.metrics?.commitBatchSize.observe(batch.length)
        const end = deps.metrics?.commitDuration.startTimer()
        try {
          return await deps.backendApi.commit(this.id, { host: deps.host, epoch: this.epoch, afterSeq: this.seq, messages: batch })
        } finally {
          end?.()
        }
      },
      onStored: (batch, response) => this.onStored(batch, response),
      onFenced: (reason) => {
        deps.logger.warn({ roomId: this.id, reason }, 'the room can no longer write; closing it')
        // `unreadable`: the batch was stored but this room's seq is stale; clients re-join a reload.
        this.close(reason === 'not_found' ? CloseCode.ROOM_DELETED : CloseCode.ROOM_MOVED)
        deps.onClosed(this)
      },
      onRejected: (batch, detail) => {
        deps.logger.error({ roomId: this.id, detail, count: batch.length }, 'backend rejected a batch; dropped')
        this.dropBatch(batch)
      },
      onBug: (error, batch) => {
        deps.logger.error({ err: error, roomId: this.id, count: batch.length }, 'group commit failed; batch dropped')
        this.dropBatch(batch)
      },
      onRetry: (attempt, delayMs, detail) =>
        deps.logger.warn({ roomId: this.id, attempt, delayMs, detail }, 'commit failed; retrying'),
    })
  }

  get latestSeq(): number {
    return this.seq
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
    return this.committer.size
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
        typingTimer: undefined,
      }
      this.members.set(connection.userId, state)
    }
    state.connections.add(connection)

    const resumedMessages = since === undefined ? undefined : this.history.after(since, this.seq)
    this.deliver(
      connection,
      JSON.stringify({
        type: 'snapshot',
        protocol: PROTOCOL_VERSION,
        room: this.info,
        you: { userId: connection.userId, username: connection.username },
        members: [...this.members.values()].map((s) => s.member),
        messages: resumedMessages ?? this.history.latest(SNAPSHOT_MESSAGES),
        seq: this.seq,
        resumed: resumedMessages !== undefined,
        limits: { maxMessageLength: this.deps.limits.maxMessageLength },
      } satisfies ServerMessage),
    )
    if (isNewMember) this.broadcast({ type: 'user_joined', member: state.member }, connection.userId)
    return { ok: true }
  }

  /** Removes a connection (idempotent); `user_left` when it was the user's last one. */
  leave(connection: RoomConnection): void {
    const state = this.members.get(connection.userId)
    if (!state?.connections.delete(connection)) return
    if (state.connections.size > 0) return
    this.stopTyping(state)
    this.members.delete(connection.userId)
    this.broadcast({ type: 'user_left', userId: connection.userId })
    if (this.members.size === 0 && !this.closed) this.deps.onEmpty(this)
  }

  /** Applies one validated client frame from a member connection. */
  handle(connection: RoomConnection, message: ClientMessage): Outcome {
    const state = this.members.get(connection.userId)
    if (this.closed || !state?.connections.has(connection)) {
      return { ok: false, code: ErrorCode.UNAVAILABLE, message: 'not in the room' }
    }
    switch (message.type) {
      case 'send':
        return this.submit(connection, state, message.clientId, message.text)
      case 'typing':
        if (message.typing) this.startTyping(state)
        else this.stopTyping(state)
        return { ok: true }
      case 'status':
        return this.setStatus(state, message.status)
      default:
        return exhaustive(message)
    }
  }

  /** Whether the user already sent `clientId` here: it is pending, in flight or stored in memory. */
  isResend(userId: string, clientId: string): boolean {
    return this.unstored.has(clientKey(userId, clientId)) || this.history.findByClientId(userId, clientId) !== undefined
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

  /** Resolves once every accepted message is stored (or the room closed). */
  flushed(): Promise<void> {
    return this.committer.whenIdle()
  }

  /**
   * Closes every connection with `code` (after sending `event`, if given) and stops writing.
   * Pending messages are not acknowledged: their senders re-send them after reconnecting.
   */
  close(code: CloseCode, event?: ServerMessage): void {
    if (this.closed) return
    this.closed = true
    this.committer.stop()
    const data = event === undefined ? undefined : JSON.stringify(event)
    for (const state of this.members.values()) {
      if (state.typingTimer) clearTimeout(state.typingTimer)
      for (const connection of state.connections) {
        if (data !== undefined) connection.socket.send(data)
        connection.socket.close(code, CloseReason[code])
      }
    }
    this.members.clear()
  }

  private submit(connection: RoomConnection, state: MemberState, clientId: string, rawText: string): Outcome {
    const text = sanitizeText(rawText)
    if (text.length === 0) return { ok: false, code: ErrorCode.EMPTY_MESSAGE, message: 'the message is empty' }
    const max = this.deps.limits.maxMessageLength
    if (text.length > max) {
      return { ok: false, code: ErrorCode.MESSAGE_TOO_LONG, message: `the message is longer than ${max} characters` }
    }
    const key = clientKey(connection.userId, clientId)
    // A retried send: its acknowledgement is on the way, or it already came and was missed.
    if (this.unstored.has(key)) return { ok: true }
    const stored = this.history.findByClientId(connection.userId, clientId)
    if (stored) {
      this.deliver(connection, JSON.stringify({ type: 'message', message: stored } satisfies ServerMessage))
      return { ok: true }
    }
    if (this.committer.size >= MAX_PENDING_MESSAGES) {
      return { ok: false, code: ErrorCode.UNAVAILABLE, message: 'the room is busy; try again shortly' }
    }
    this.stopTyping(state)
    this.deps.metrics?.messagesReceived.inc()
    this.unstored.add(key)
    this.committer.enqueue({
      id: randomUUID(),
      clientId,
      userId: connection.userId,
      username: connection.username,
      text,
      createdAt: new Date().toISOString(),
    } satisfies NewMessage)
    return { ok: true }
  }

  private onStored(batch: NewMessage[], response: CommitResponse): void {
    for (const message of batch) this.unstored.delete(clientKey(message.userId, message.clientId))
    const inOrder = [...response.messages].sort((a, b) => a.seq - b.seq)
    this.corked(() => this.deliverStored(inOrder))
    this.seq = Math.max(this.seq, response.seq)
  }

  /**
   * Forgets a batch that will not be stored and tells its senders, whose re-sends must then be
   * taken again (not ignored as still pending).
   */
  private dropBatch(batch: NewMessage[]): void {
    for (const message of batch) {
      this.unstored.delete(clientKey(message.userId, message.clientId))
      this.sendToUser(message.userId, {
        type: 'error',
        code: ErrorCode.UNAVAILABLE,
        message: 'the message could not be stored',
        clientId: message.clientId,
      })
    }
  }

  private deliverStored(inOrder: ChatMessage[]): void {
    for (const message of inOrder) {
      if (message.seq > this.seq) {
        this.seq = message.seq
        this.history.append(message)
        // Everyone, the sender included: to the sender it is the acknowledgement of its clientId.
        const end = this.deps.metrics?.broadcastDuration.startTimer()
        this.broadcast({ type: 'message', message })
        end?.()
        this.deps.metrics?.messagesBroadcast.inc()
      } else {
        // An older duplicate (a re-send of a message stored before): only its sender needs it.
        this.sendToUser(message.userId, { type: 'message', message } satisfies ServerMessage)
      }
    }
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

  private setStatus(state: MemberState, status: MemberStatus): Outcome {
    if (state.member.status === status) return { ok: true }
    state.member = { ...state.member, status }
    this.broadcast({ type: 'status', userId: state.member.userId, status })
    return { ok: true }
  }

  private startTyping(state: MemberState): void {
    const wasTyping = state.typingTimer !== undefined
    if (state.typingTimer) clearTimeout(state.typingTimer)
    // Typing indicators expire on their own: a client that crashes mid-word must not type forever.
    state.typingTimer = setTimeout(() => this.stopTyping(state), this.deps.limits.typingTimeoutMs)
    if (!wasTyping) this.broadcastTyping(state, true)
  }

  private stopTyping(state: MemberState): void {
    if (state.typingTimer === undefined) return
    clearTimeout(state.typingTimer)
    state.typingTimer = undefined
    this.broadcastTyping(state, false)
  }

  private broadcastTyping(state: MemberState, typing: boolean): void {
    const { userId, username } = state.member
    this.broadcast({ type: 'typing', userId, username, typing }, userId)
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
      connection.socket.close(CloseCode.TOO_SLOW, CloseReason[CloseCode.TOO_SLOW])
      return
    }
    connection.socket.send(data)
  }
}
