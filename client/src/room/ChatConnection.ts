/**
 * ChatConnection owns one room's WebSocket and everything the room screen shows: messages,
 * pending sends, members, typing, connection status. It is a plain class, not a component, so
 * that React re-renders never touch the socket; components subscribe with `useSyncExternalStore`
 * (`subscribe` + `getState`, where every change produces a new state object).
 *
 * Frames from the session server are parsed but not validated: the client trusts its own servers
 * and does not ship zod (it imports only TYPES from the protocol, and values from its zod-free
 * `codes` module). Unknown frame types are ignored, so a newer server can add events.
 *
 * @example
 * const connection = new ChatConnection({ roomId, api })
 * connection.subscribe(() => render(connection.getState()))
 * connection.start()
 * connection.send('hello')
 * connection.dispose()
 */
import type { ChatMessage, JoinRoomResponse } from '@scalable-chat/backend-contract'
import type {
  ClientMessage,
  ErrorEvent,
  Member,
  MemberStatus,
  RoomInfo,
  ServerMessage,
  SnapshotEvent,
} from '@scalable-chat/protocol'
import { closeCodeInfo, CloseCode, DEFAULT_LIMITS, ErrorCode } from '@scalable-chat/protocol/codes'
import { ApiError } from '../api/ApiError.js'
import type { ApiClient } from '../api/createApiClient.js'
import { backoffDelay } from './backoffDelay.js'
import { ClosedReason, type ConnectionStatus } from './connectionStatus.js'
import { mergeMessages } from './mergeMessages.js'
import { ResendPacer } from './ResendPacer.js'
import { browserNetworkStatus, type NetworkStatus } from './networkStatus.js'
import { sessionSocketUrl } from './sessionSocketUrl.js'
import type { TypingUser } from './typingText.js'

/** A typing indicator whose "stopped" frame got lost must not stay forever. */
export const TYPING_EXPIRY_MS = 8_000
export const HISTORY_PAGE_SIZE = 50

/** A message sent by this user that the server has not acknowledged yet, or refused. */
export interface PendingMessage {
  clientId: string
  text: string
  createdAt: string
  state: 'sending' | 'failed'
  /** Why it failed, in plain words. */
  error?: string
}

export interface ChatState {
  status: ConnectionStatus
  /** Known from the join response before the first snapshot arrives. */
  room: RoomInfo | null
  you: { userId: string; username: string } | null
  members: Member[]
  /** In seq order, each seq once. */
  messages: ChatMessage[]
  pending: PendingMessage[]
  typing: TypingUser[]
  maxMessageLength: number
  history: { hasMore: boolean; loading: boolean; error: string | null }
  /** The latest message from someone else that arrived live: what a screen reader announces. */
  lastIncoming: ChatMessage | null
  /** A refusal not tied to a send (rate limit…), until dismissed. */
  notice: string | null
  /** The status this user asked for; re-announced after every reconnect. */
  ownStatus: MemberStatus
}

/** The part of a WebSocket that ChatConnection uses: the browser's, or `ws` in Node tests. */
export interface SocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onmessage: ((event: { data: unknown }) => void) | null
  onclose: ((event: { code: number; reason: string }) => void) | null
  onerror: ((event: unknown) => void) | null
}
export type SocketConstructor = new (url: string) => SocketLike

export interface ChatConnectionOptions {
  roomId: string
  api: Pick<ApiClient, 'joinRoom' | 'history'>
  /** Default `globalThis.WebSocket`; Node 20 has none, so tests pass `ws`'s. */
  WebSocket?: SocketConstructor
  /** Whether to use `wss:`; default: the page is https. */
  secure?: boolean
  network?: NetworkStatus
  random?: () => number
  createClientId?: () => string
}

const SOCKET_OPEN = 1
const NORMAL_CLOSURE = 1000
/** Set by the WebSocket itself when the connection ended without a close frame. */
const ABNORMAL_CLOSURE = 1006

const SEND_ERROR_TEXT: Record<string, string> = {
  [ErrorCode.MESSAGE_TOO_LONG]: 'Too long to send',
  [ErrorCode.EMPTY_MESSAGE]: 'Empty messages are not sent',
  [ErrorCode.RATE_LIMITED]: 'Sending too fast, try again in a moment',
  [ErrorCode.UNAVAILABLE]: 'Could not be stored, try again',
}

export class ChatConnection {
  readonly roomId: string
  private readonly api: ChatConnectionOptions['api']
  private readonly Socket: SocketConstructor
  private readonly secure: boolean
  private readonly network: NetworkStatus
  private readonly random: () => number
  private readonly createClientId: () => string

  private state: ChatState
  private readonly listeners = new Set<() => void>()
  private socket: SocketLike | null = null
  /** Bumped by every connect attempt and by dispose: late answers from an older attempt are dropped. */
  private generation = 0
  /** Bumped whenever the message view is replaced, so an older-history page for the old view is dropped. */
  private viewEpoch = 0
  private attempt = 0
  private wasLive = false
  /** The host of the last socket that closed before its snapshot: the next join asks to re-check it. */
  private failedHost: string | undefined
  private started = false
  private disposed = false
  private retryTimer: ReturnType<typeof setTimeout> | undefined
  private readonly typingTimers = new Map<string, ReturnType<typeof setTimeout>>()
  private readonly resends = new ResendPacer((clientId) => this.resendPending(clientId))
  private unsubscribeNetwork: (() => void) | undefined

  constructor(options: ChatConnectionOptions) {
    this.roomId = options.roomId
    this.api = options.api
    const Socket = options.WebSocket ?? (globalThis.WebSocket as unknown as SocketConstructor | undefined)
    if (!Socket) throw new TypeError('ChatConnection: no WebSocket implementation; pass options.WebSocket')
    this.Socket = Socket
    this.secure = options.secure ?? globalThis.location?.protocol === 'https:'
    this.network = options.network ?? browserNetworkStatus
    this.random = options.random ?? Math.random
    this.createClientId = options.createClientId ?? (() => crypto.randomUUID())
    this.state = {
      status: { kind: 'connecting', attempt: 0 },
      room: null,
      you: null,
      members: [],
      messages: [],
      pending: [],
      typing: [],
      maxMessageLength: DEFAULT_LIMITS.maxMessageLength,
      history: { hasMore: false, loading: false, error: null },
      lastIncoming: null,
      notice: null,
      ownStatus: 'online',
    }
  }

  // Subscription (useSyncExternalStore) ---------------------------------------------------

  getState = (): ChatState => this.state

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  // Lifecycle -------------------------------------------------------------------------------

  start(): void {
    if (this.started || this.disposed) return
    this.started = true
    this.unsubscribeNetwork = this.network.subscribe(() => this.onNetworkChange())
    void this.connect()
  }

  /** Skips the backoff wait (the banner's "Retry now"). Does nothing while live, connecting or closed. */
  retryNow(): void {
    const { kind } = this.state.status
    if (this.disposed || (kind !== 'reconnecting' && kind !== 'offline')) return
    void this.connect()
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    this.generation++
    clearTimeout(this.retryTimer)
    this.resends.reset()
    for (const timer of this.typingTimers.values()) clearTimeout(timer)
    this.typingTimers.clear()
    this.unsubscribeNetwork?.()
    this.dropSocket(NORMAL_CLOSURE, 'leaving')
    this.listeners.clear()
  }

  // Actions ---------------------------------------------------------------------------------

  /**
   * Sends a message; it shows at once as pending and is removed when the server's `message` with
   * its clientId arrives. Sent now when live, otherwise right after the next snapshot.
   * Returns the clientId, or null for blank text or a closed room.
   */
  send(text: string): string | null {
    const trimmed = text.trim()
    if (!trimmed || this.state.status.kind === 'closed' || this.disposed) return null
    const pending: PendingMessage = {
      clientId: this.createClientId(),
      text: trimmed,
      createdAt: new Date().toISOString(),
      state: 'sending',
    }
    this.update({ pending: [...this.state.pending, pending] })
    this.sendOrQueue(pending)
    return pending.clientId
  }

  /** Sends a failed message again with the SAME clientId, so the server stores it at most once. */
  retry(clientId: string): void {
    const message = this.state.pending.find((p) => p.clientId === clientId)
    if (!message || message.state !== 'failed') return
    this.update({
      pending: this.state.pending.map((p) => (p.clientId === clientId ? { ...p, state: 'sending', error: undefined } : p)),
    })
    this.sendOrQueue(message)
  }

  /** Forgets a failed message. */
  discard(clientId: string): void {
    this.update({ pending: this.state.pending.filter((p) => p.clientId !== clientId || p.state !== 'failed') })
  }

  /** Tells the room this user is (or stopped) typing; dropped when not live (typing is ephemeral). */
  setTyping(typing: boolean): void {
    this.sendFrame({ type: 'typing', typing })
  }

  setOwnStatus(status: MemberStatus): void {
    if (status === this.state.ownStatus) return
    this.update({ ownStatus: status })
    this.sendFrame({ type: 'status', status })
  }

  dismissNotice(): void {
    if (this.state.notice !== null) this.update({ notice: null })
  }

  /** Loads the page of history before the first message held (when the user scrolls to the top). */
  async loadOlder(): Promise<void> {
    const { history, messages, status } = this.state
    const before = messages[0]?.seq
    if (history.loading || !history.hasMore || status.kind === 'closed' || this.disposed) return
    if (before === undefined || before <= 1) {
      this.update({ history: { ...history, hasMore: false } })
      return
    }
    const epoch = this.viewEpoch
    this.update({ history: { ...history, loading: true, error: null } })
    try {
      const page = await this.api.history(this.roomId, before, HISTORY_PAGE_SIZE)
      if (this.disposed || epoch !== this.viewEpoch) return
      this.update({
        messages: mergeMessages(this.state.messages, page.messages),
        history: { hasMore: page.hasMore, loading: false, error: null },
      })
    } catch (error) {
      if (this.disposed || epoch !== this.viewEpoch) return
      const message = error instanceof ApiError ? error.message : 'Could not load earlier messages.'
      this.update({ history: { ...this.state.history, loading: false, error: message } })
    }
  }

  // Connecting ------------------------------------------------------------------------------

  private async connect(): Promise<void> {
    const generation = ++this.generation
    clearTimeout(this.retryTimer)
    this.dropSocket(NORMAL_CLOSURE, 'reconnecting')
    if (!this.network.isOnline()) {
      this.setStatus({ kind: 'offline' })
      return
    }
    this.setStatus({ kind: 'connecting', attempt: this.attempt })

    let join: JoinRoomResponse
    try {
      // A fresh join every time: it is how the client follows a room that moved to another server.
      join = await this.api.joinRoom(this.roomId, this.failedHost)
    } catch (error) {
      if (generation !== this.generation) return
      const final = error instanceof ApiError ? closedReasonForStatus(error.status) : null
      if (final) this.close(final)
      else this.scheduleReconnect()
      return
    }
    if (generation !== this.generation) return
    if (!this.state.room) this.update({ room: { id: join.roomId, name: join.name, ownerId: join.ownerId } })

    const url = sessionSocketUrl({
      host: join.host,
      token: join.token,
      since: this.state.messages.at(-1)?.seq,
      secure: this.secure,
    })
    let socket: SocketLike
    try {
      socket = new this.Socket(url)
    } catch {
      // An invalid host from the backend: treat it as a failed attempt, not a crash.
      this.scheduleReconnect()
      return
    }
    this.socket = socket
    let gotSnapshot = false
    socket.onmessage = (event) => {
      if (this.socket !== socket) return
      // Only a snapshot proves the host served us: a closed room answers with an `error` first.
      if (!gotSnapshot && isSnapshotFrame(event.data)) {
        gotSnapshot = true
        this.failedHost = undefined
      }
      this.handleFrame(event.data)
    }
    socket.onclose = (event) => {
      if (this.socket !== socket) return
      this.socket = null
      // The next join asks the backend to check this host at once, rather than trust a health
      // check that may be seconds old: it never served us, or it crashed or is draining.
      if (!gotSnapshot || hostWentAway(event.code)) this.failedHost = join.host
      this.handleClose(event.code)
    }
    // An error is always followed by a close event, which decides what happens next.
    socket.onerror = () => {}
  }

  private handleClose(code: number): void {
    // The next snapshot starts the backlog over.
    this.resends.reset()
    if (this.disposed || this.state.status.kind === 'closed') return
    this.clearTyping()
    if (closeCodeInfo(code).reconnect === 'never') {
      this.close(closedReasonForCode(code))
      return
    }
    // A draining, moved or crashed server's room is (about to be) served elsewhere: go at once,
    // but only once in a row, so a server that keeps failing cannot make the client spin.
    const immediate = this.wasLive && (hostWentAway(code) || code === CloseCode.ROOM_MOVED)
    this.wasLive = false
    if (immediate) void this.connect()
    else this.scheduleReconnect()
  }

  private scheduleReconnect(): void {
    if (this.disposed) return
    clearTimeout(this.retryTimer)
    if (!this.network.isOnline()) {
      this.setStatus({ kind: 'offline' })
      return
    }
    this.attempt += 1
    const delay = backoffDelay(this.attempt, { random: this.random })
    this.setStatus({ kind: 'reconnecting', attempt: this.attempt, retryAt: Date.now() + delay })
    this.retryTimer = setTimeout(() => void this.connect(), delay)
  }

  private onNetworkChange(): void {
    if (this.disposed) return
    const { kind } = this.state.status
    if (!this.network.isOnline()) {
      if (kind === 'reconnecting') {
        clearTimeout(this.retryTimer)
        this.setStatus({ kind: 'offline' })
      }
    } else if (kind === 'offline') {
      void this.connect()
    }
  }

  /** Final: no reconnect. */
  private close(reason: ClosedReason): void {
    this.generation++
    clearTimeout(this.retryTimer)
    this.clearTyping()
    this.dropSocket(NORMAL_CLOSURE, 'closed')
    this.setStatus({ kind: 'closed', reason })
  }

  private dropSocket(code: number, reason: string): void {
    const socket = this.socket
    this.socket = null
    if (!socket) return
    socket.onmessage = null
    socket.onclose = null
    try {
      socket.close(code, reason)
    } catch {
      // Closing a socket that is still connecting throws in some implementations; it is gone anyway.
    }
  }

  private sendFrame(frame: ClientMessage): void {
    if (this.state.status.kind !== 'live' || this.socket?.readyState !== SOCKET_OPEN) return
    this.socket.send(JSON.stringify(frame))
  }

  // Frames ----------------------------------------------------------------------------------

  /** Sends a pending message now, or behind a backlog of re-sends still going out. */
  private sendOrQueue(message: PendingMessage): void {
    if (this.resends.busy) this.resends.add(message.clientId)
    else this.sendFrame({ type: 'send', clientId: message.clientId, text: message.text })
  }

  private resendPending(clientId: string): boolean {
    const message = this.state.pending.find((p) => p.clientId === clientId && p.state === 'sending')
    if (!message) return false
    this.sendFrame({ type: 'send', clientId, text: message.text })
    return true
  }

  private handleFrame(data: unknown): void {
    if (typeof data !== 'string') return
    let frame: ServerMessage
    try {
      frame = JSON.parse(data) as ServerMessage
    } catch {
      return
    }
    switch (frame?.type) {
      case 'snapshot':
        return this.onSnapshot(frame)
      case 'message':
        return this.onMessage(frame.message)
      case 'user_joined':
        return this.update({ members: [...this.state.members.filter((m) => m.userId !== frame.member.userId), frame.member] })
      case 'user_left':
        this.stopTyping(frame.userId)
        return this.update({ members: this.state.members.filter((m) => m.userId !== frame.userId) })
      case 'typing':
        return frame.typing ? this.startTyping(frame.userId, frame.username) : this.stopTyping(frame.userId)
      case 'status':
        return this.update({
          members: this.state.members.map((m) => (m.userId === frame.userId ? { ...m, status: frame.status } : m)),
        })
      case 'room_deleted':
        return this.close(ClosedReason.DELETED)
      case 'error':
        return this.onError(frame)
      default:
        // A newer server may send events this client does not know yet.
        return
    }
  }

  private onSnapshot(snapshot: SnapshotEvent): void {
    this.attempt = 0
    this.wasLive = true
    const previous = this.state.messages
    let messages: ChatMessage[]
    let hasMore: boolean
    if (snapshot.resumed) {
      messages = mergeMessages(previous, snapshot.messages)
      hasMore = previous.length > 0 ? this.state.history.hasMore : (messages[0]?.seq ?? 1) > 1
    } else {
      this.viewEpoch++
      messages = mergeMessages([], snapshot.messages)
      hasMore = (messages[0]?.seq ?? 1) > 1
    }
    const acknowledged = new Set(messages.filter((m) => m.userId === snapshot.you.userId).map((m) => m.clientId))
    const pending = this.state.pending.filter((p) => !acknowledged.has(p.clientId))
    this.update({
      status: { kind: 'live' },
      room: snapshot.room,
      you: snapshot.you,
      members: snapshot.members,
      messages,
      pending,
      typing: [],
      maxMessageLength: snapshot.limits.maxMessageLength,
      history: { hasMore, loading: false, error: null },
    })
    // After the snapshot, in their original order and with their original clientIds: a message
    // the server stored but whose ack we missed is answered with the stored original, not duplicated.
    // Paced, so that a backlog longer than the server's burst is not refused.
    this.resends.start(pending.filter((p) => p.state === 'sending').map((p) => p.clientId))
    if (this.state.ownStatus !== 'online') this.sendFrame({ type: 'status', status: this.state.ownStatus })
  }

  private onMessage(message: ChatMessage): void {
    const own = message.userId === this.state.you?.userId
    if (own) this.resends.settle(message.clientId)
    this.clearTypingTimer(message.userId)
    this.update({
      messages: mergeMessages(this.state.messages, [message]),
      pending: own ? this.state.pending.filter((p) => p.clientId !== message.clientId) : this.state.pending,
      typing: this.state.typing.filter((t) => t.userId !== message.userId),
      lastIncoming: own ? this.state.lastIncoming : message,
    })
  }

  private onError(frame: ErrorEvent): void {
    if (frame.clientId !== undefined) {
      // A paced re-send that was rate-limited goes again by itself; it has not failed.
      if (frame.code === ErrorCode.RATE_LIMITED && this.resends.rateLimited(frame.clientId)) return
      this.resends.settle(frame.clientId)
    }
    const text = SEND_ERROR_TEXT[frame.code] ?? frame.message
    if (frame.clientId && this.state.pending.some((p) => p.clientId === frame.clientId)) {
      this.update({
        pending: this.state.pending.map((p) =>
          p.clientId === frame.clientId ? { ...p, state: 'failed', error: text } : p,
        ),
      })
    } else {
      this.update({ notice: text })
    }
  }

  // Typing of others ------------------------------------------------------------------------

  private startTyping(userId: string, username: string): void {
    if (userId === this.state.you?.userId) return
    this.clearTypingTimer(userId)
    this.typingTimers.set(
      userId,
      setTimeout(() => this.stopTyping(userId), TYPING_EXPIRY_MS),
    )
    if (!this.state.typing.some((t) => t.userId === userId)) {
      this.update({ typing: [...this.state.typing, { userId, username }] })
    }
  }

  private stopTyping(userId: string): void {
    this.clearTypingTimer(userId)
    if (this.state.typing.some((t) => t.userId === userId)) {
      this.update({ typing: this.state.typing.filter((t) => t.userId !== userId) })
    }
  }

  private clearTypingTimer(userId: string): void {
    clearTimeout(this.typingTimers.get(userId))
    this.typingTimers.delete(userId)
  }

  private clearTyping(): void {
    for (const timer of this.typingTimers.values()) clearTimeout(timer)
    this.typingTimers.clear()
    if (this.state.typing.length > 0) this.update({ typing: [] })
  }

  // State -----------------------------------------------------------------------------------

  private setStatus(status: ConnectionStatus): void {
    this.update({ status })
  }

  private update(patch: Partial<ChatState>): void {
    if (this.disposed) return
    this.state = { ...this.state, ...patch }
    for (const listener of this.listeners) listener()
  }
}

/** The socket closed because its server is going (1012 drain) or gone (1006: no close frame, e.g. a crash). */
/** A cheap look at the frame's type; `handleFrame` does the real parse. */
function isSnapshotFrame(data: unknown): boolean {
  if (typeof data !== 'string') return false
  try {
    return (JSON.parse(data) as { type?: unknown }).type === 'snapshot'
  } catch {
    return false
  }
}

function hostWentAway(code: number): boolean {
  return code === CloseCode.SERVICE_RESTART || code === ABNORMAL_CLOSURE
}

function closedReasonForStatus(status: number): ClosedReason | null {
  if (status === 404) return ClosedReason.NOT_FOUND
  if (status === 403) return ClosedReason.FORBIDDEN
  if (status === 401) return ClosedReason.SIGNED_OUT
  return null
}

function closedReasonForCode(code: number): ClosedReason {
  switch (code) {
    case CloseCode.PROTOCOL_MISMATCH:
      return ClosedReason.PROTOCOL_MISMATCH
    case CloseCode.ROOM_DELETED:
      return ClosedReason.DELETED
    case CloseCode.ROOM_FULL:
      return ClosedReason.ROOM_FULL
    default:
      return ClosedReason.POLICY_VIOLATION
  }
}
