/**
 * One room, as the web and terminal clients see it. A plain class, not a component, so that React
 * re-renders never touch the socket. It puts the parts together:
 *
 * - `SessionLink`: the socket and its reconnect policy;
 * - `reduceChat`: the pure reducer from events (the server's frames, and what happens here) to
 *   the view state;
 * - `Outbox`: when each pending message goes out, and again after a reconnect;
 * - `BoardSync`: the room's whiteboard (its own state, which the board view reads);
 * - `ReadMarker`: when the room is told how far the user has read;
 *
 * and adds what joins them: the user's actions, history paging over HTTP, and the expiry of other
 * people's typing. Components read the state with `useSyncExternalStore` (`subscribe` +
 * `getState`, a new object on every change); the terminal client prints the same events
 * (`onEvent`). Neither compares states to find out what happened.
 *
 * @example
 * const connection = new ChatConnection({ roomId, api })
 * connection.subscribe(() => render(connection.getState()))
 * connection.start()
 * connection.send('hello')
 * connection.dispose()
 */
import type { ChatMessage } from '@scalable-chat/backend-contract'
import type { MemberStatus, ServerMessage } from '@scalable-chat/protocol'
import { ErrorCode } from '@scalable-chat/protocol/codes'
import { ApiError } from '../../api/ApiError.js'
import type { ApiClient } from '../../api/createApiClient.js'
import { BoardSync } from './BoardSync.js'
import {
  initialChatState,
  reduceChat,
  type ChatEvent,
  type ChatState,
  type PendingChange,
  type PendingMessage,
  type RoomSettings,
} from './chatReducer.js'
import { ClosedReason } from './connectionStatus.js'
import { browserNetworkStatus, type NetworkStatus } from './networkStatus.js'
import { Outbox } from './Outbox.js'
import { TypingExpiry } from './TypingExpiry.js'
import { frameOf, pendingFrame, type NewChange } from './pendingWrites.js'
import { ReadMarker } from './ReadMarker.js'
import { SessionLink, type SocketConstructor } from './SessionLink.js'

export type { ChatEvent, ChatState, PendingChange, PendingMessage } from './chatReducer.js'
export type { BoardSync, BoardState } from './BoardSync.js'
export type { SocketConstructor, SocketLike } from './SessionLink.js'

export interface ChatConnectionOptions {
  roomId: string
  api: Pick<ApiClient, 'joinRoom' | 'history'>
  /** Default `globalThis.WebSocket`; Node 20 has none, so tests and the terminal client pass `ws`'s. */
  WebSocket?: SocketConstructor
  /** Whether to use `wss:`; default: the page is https. */
  secure?: boolean
  network?: NetworkStatus
  random?: () => number
  createClientId?: () => string
}

export class ChatConnection {
  readonly roomId: string
  /** The room's whiteboard, over this connection. */
  readonly board: BoardSync
  private state = initialChatState()
  private readonly stateListeners = new Set<() => void>()
  private readonly eventListeners = new Set<(event: ChatEvent) => void>()
  private readonly link: SessionLink
  private readonly outbox: Outbox
  private readonly readMarker: ReadMarker
  private readonly othersTyping = new TypingExpiry(
    () => this.state.limits.typingTimeoutMs,
    (userId, username) => this.dispatch({ type: 'typing', userId, username, typing: false }),
  )
  /** Changes refused as rate-limited, waiting to go again. */
  private readonly retryTimers = new Set<ReturnType<typeof setTimeout>>()
  /** Bumped whenever the message view is replaced, so a page of older history for the old view is dropped. */
  private viewEpoch = 0
  private disposed = false

  constructor(private readonly options: ChatConnectionOptions) {
    this.roomId = options.roomId
    const Socket = options.WebSocket ?? (globalThis.WebSocket as unknown as SocketConstructor | undefined)
    if (!Socket) throw new TypeError('ChatConnection: no WebSocket implementation; pass options.WebSocket')
    this.link = new SessionLink({
      roomId: options.roomId,
      api: options.api,
      WebSocket: Socket,
      secure: options.secure ?? globalThis.location?.protocol === 'https:',
      network: options.network ?? browserNetworkStatus,
      random: options.random ?? Math.random,
      latestSeq: () => this.state.seq ?? undefined,
      listener: {
        status: (status) => {
          if (status.kind !== 'live') this.dropped()
          this.dispatch({ type: 'connection', status })
        },
        joined: (join) =>
          this.dispatch({
            type: 'joined',
            room: { id: join.roomId, name: join.name, ownerId: join.ownerId },
            settings: { visibility: join.visibility, description: join.description },
          }),
        frame: (frame) => this.onFrame(frame),
      },
    })
    this.board = new BoardSync({ transmit: (frame) => this.link.send(frame), createRef: () => this.createClientId() })
    this.outbox = new Outbox({
      transmit: (frame) => this.link.send(frame),
      stillSending: (clientId) => pendingFrame(this.state, clientId),
    })
    this.readMarker = new ReadMarker((seq) => this.link.send({ type: 'read', seq }))
  }

  // Subscription --------------------------------------------------------------------------------

  getState = (): ChatState => this.state

  /** For `useSyncExternalStore`: called after every change of `getState()`. */
  subscribe = (listener: () => void): (() => void) => {
    this.stateListeners.add(listener)
    return () => this.stateListeners.delete(listener)
  }

  /** Every event, after the state took it in. */
  onEvent(listener: (event: ChatEvent) => void): () => void {
    this.eventListeners.add(listener)
    return () => this.eventListeners.delete(listener)
  }

  // Lifecycle -----------------------------------------------------------------------------------

  start(): void {
    if (!this.disposed) this.link.start()
  }

  /** Skips the backoff wait (the banner's "Retry now"). */
  retryNow(): void {
    this.link.retryNow()
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    // Before the socket closes: a position still waiting for its interval is what the user saw last.
    this.readMarker.flush()
    this.readMarker.dispose()
    this.link.dispose()
    this.dropped()
    for (const timer of this.retryTimers) clearTimeout(timer)
    this.board.dispose()
    this.stateListeners.clear()
    this.eventListeners.clear()
  }

  // Actions -------------------------------------------------------------------------------------

  /**
   * Sends a message; it shows at once as pending and goes when its acknowledgement (the stored
   * message with its clientId) arrives. Sent now when live, otherwise right after the next
   * snapshot. Returns the clientId, or null for blank text or a closed room.
   */
  send(text: string): string | null {
    const trimmed = text.trim()
    if (!trimmed || this.state.status.kind === 'closed' || this.disposed) return null
    const message: PendingMessage = { clientId: this.createClientId(), text: trimmed, createdAt: new Date().toISOString(), state: 'sending' }
    this.dispatch({ type: 'send_queued', message })
    this.outbox.send({ type: 'send', clientId: message.clientId, text: message.text })
    return message.clientId
  }

  /**
   * Edits one of this user's messages (`target` is its seq). Shown at once; acknowledged by the
   * `change` carrying its clientId, or refused (a notice says why). Sent now or after the next
   * snapshot, like a message. Returns the clientId, or null for blank text or a closed room.
   */
  edit(target: number, text: string): string | null {
    const trimmed = text.trim()
    return trimmed ? this.change({ kind: 'edit', target, text: trimmed }) : null
  }

  /** Deletes one of this user's messages: it keeps its place, without its text. */
  deleteMessage(target: number): string | null {
    return this.change({ kind: 'delete', target })
  }

  /** Adds (`on`) or takes back this user's `emoji` on a message. */
  react(target: number, emoji: string, on: boolean): string | null {
    return this.change({ kind: 'react', target, emoji, on })
  }

  /** Sends a failed message again with the SAME clientId, so the server stores it at most once. */
  retry(clientId: string): void {
    const message = this.state.pending.find((p) => p.clientId === clientId && p.state === 'failed')
    if (!message) return
    this.dispatch({ type: 'send_retried', clientId })
    this.outbox.send({ type: 'send', clientId, text: message.text })
  }

  /** Forgets a failed message. */
  discard(clientId: string): void {
    this.dispatch({ type: 'send_discarded', clientId })
  }

  /** Tells the room this user is (or stopped) typing; dropped when not live (typing is ephemeral). */
  setTyping(typing: boolean): void {
    this.link.send({ type: 'typing', typing })
  }

  setOwnStatus(status: MemberStatus): void {
    if (status === this.state.ownStatus) return
    this.dispatch({ type: 'own_status', status })
    this.link.send({ type: 'status', status })
  }

  /**
   * The user has seen the room up to `seq` (its newest message was on screen). Tells the room,
   * forward only and throttled (`ReadMarker`); the user's other tabs and devices hear of it from
   * the server. Whether it moved the read position this tab knows.
   */
  markRead(seq: number): boolean {
    if (this.disposed || seq <= this.state.readSeq) return false
    this.dispatch({ type: 'marked_read', seq })
    this.readMarker.mark(seq)
    return true
  }

  /** Sends a read position still waiting for its interval now: the page is going away (a reload does not dispose). */
  flushRead(): void {
    if (!this.disposed) this.readMarker.flush()
  }

  /** The owner changed the room's settings (the backend's answer): the view shows them at once. */
  settingsChanged(settings: RoomSettings): void {
    this.dispatch({ type: 'settings', settings })
  }

  dismissNotice(): void {
    if (this.state.notice !== null) this.dispatch({ type: 'notice', notice: null })
  }

  /**
   * Loads the page of history before the first message held (when the user scrolls to the top).
   * Resolves true when it loaded a page; false when it did nothing (a page already loading, the
   * beginning reached, the room closed), so a caller that loops stops.
   */
  async loadOlder(): Promise<boolean> {
    const { history, messages, status } = this.state
    const before = messages[0]?.seq
    if (history.loading || !history.hasMore || status.kind === 'closed' || this.disposed) return false
    if (before === undefined || before <= 1) {
      this.dispatch({ type: 'history_loaded', messages: [], hasMore: false })
      return false
    }
    const epoch = this.viewEpoch
    this.dispatch({ type: 'history_loading' })
    try {
      const page = await this.options.api.history(this.roomId, before)
      if (epoch !== this.viewEpoch || this.disposed) return false
      this.dispatch({ type: 'history_loaded', messages: page.messages, hasMore: page.hasMore })
      return true
    } catch (error) {
      if (epoch === this.viewEpoch) {
        this.dispatch({ type: 'history_failed', error: error instanceof ApiError ? error.message : 'Could not load earlier messages.' })
      }
      return false
    }
  }

  private resendLater(clientId: string): void {
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer)
      const frame = pendingFrame(this.state, clientId)
      if (frame && !this.disposed) this.outbox.send(frame)
    }, this.state.limits.burstWindowMs)
    this.retryTimers.add(timer)
  }

  private change(change: NewChange): string | null {
    if (this.state.status.kind === 'closed' || this.disposed) return null
    const pending = { ...change, clientId: this.createClientId(), createdAt: new Date().toISOString() } as PendingChange
    this.dispatch({ type: 'change_queued', change: pending })
    this.outbox.send(frameOf(pending))
    return pending.clientId
  }

  // Frames --------------------------------------------------------------------------------------

  private onFrame(frame: ServerMessage): void {
    switch (frame.type) {
      case 'snapshot':
        if (!frame.resumed) this.viewEpoch++
        this.dispatch(frame)
        // In their original order, with their original clientIds, paced by the server's limits.
        this.outbox.resume(
          [...this.state.pending.filter((p) => p.state === 'sending'), ...this.state.pendingChanges].map((p) => p.clientId),
          frame.limits,
        )
        this.board.snapshot(frame)
        this.readMarker.known(frame.you.readSeq)
        if (this.state.ownStatus !== 'online') this.link.send({ type: 'status', status: this.state.ownStatus })
        return
      case 'message':
        return this.onMessage(frame.message)
      case 'change':
        if (frame.change.userId === this.state.you?.userId) this.outbox.settled(frame.change.clientId)
        return this.dispatch(frame)
      case 'typing':
        if (frame.userId !== this.state.you?.userId) this.othersTyping.typing(frame.userId, frame.username, frame.typing)
        return this.dispatch(frame)
      case 'user_left': {
        this.othersTyping.clear(frame.userId)
        // Connected, or listed offline (a member who left the room while not connected).
        const offline = this.state.offline.find((m) => m.userId === frame.userId)
        const member = this.state.members.find((m) => m.userId === frame.userId) ?? (offline && { ...offline, status: 'online' as const })
        return member && this.dispatch({ type: 'member_left', member, lastSeenAt: frame.lastSeenAt })
      }
      case 'read':
        this.readMarker.known(frame.seq)
        return this.dispatch(frame)
      case 'user_joined':
      case 'status':
      case 'room_updated':
        return this.dispatch(frame)
      case 'shape_created':
        this.board.frame(frame)
        return this.dispatch({ type: 'board_changed', by: frame.shape.author, change: 'created', shapeType: frame.shape.type })
      case 'shape_updated':
        this.board.frame(frame)
        return this.dispatch({ type: 'board_changed', by: frame.by, change: 'updated' })
      case 'shape_deleted':
        this.board.frame(frame)
        return this.dispatch({ type: 'board_changed', by: frame.by, change: 'deleted' })
      case 'cursors':
        return this.board.frame(frame)
      case 'room_deleted':
        return this.link.close(ClosedReason.DELETED)
      case 'error':
        return this.onError(frame)
      default:
        // A newer server may send events this client does not know yet.
        return
    }
  }

  private onMessage(message: ChatMessage): void {
    if (message.userId === this.state.you?.userId) this.outbox.settled(message.clientId)
    this.othersTyping.clear(message.userId)
    this.dispatch({ type: 'message', message })
  }

  private onError({ code, message, clientId, ref }: Extract<ServerMessage, { type: 'error' }>): void {
    if (ref !== undefined && this.board.refused(ref, { code, message })) return
    if (clientId !== undefined && this.outbox.refused(clientId, code)) return
    if (clientId !== undefined && this.state.pending.some((p) => p.clientId === clientId)) {
      this.dispatch({ type: 'send_failed', clientId, error: { code, message } })
    } else if (clientId !== undefined && this.state.pendingChanges.some((p) => p.clientId === clientId)) {
      // A reaction clicked a few times too fast is late, not lost: it goes again after the window.
      if (code === ErrorCode.RATE_LIMITED) this.resendLater(clientId)
      else this.dispatch({ type: 'change_failed', clientId, error: { code, message } })
    } else {
      this.dispatch({ type: 'notice', notice: { code, message } })
    }
  }

  // State ---------------------------------------------------------------------------------------

  /** Not live any more (or disposed): the backlog starts over with the next snapshot, and typing is forgotten. */
  private dropped(): void {
    this.outbox.reset()
    this.board.dropped()
    this.othersTyping.clearAll()
  }

  private dispatch(event: ChatEvent): void {
    if (this.disposed) return
    const next = reduceChat(this.state, event)
    const changed = next !== this.state
    // An event that changes nothing is no news, except `board_changed`, which is only news.
    if (!changed && event.type !== 'board_changed') return
    this.state = next
    for (const listener of this.eventListeners) listener(event)
    if (changed) for (const listener of this.stateListeners) listener()
  }

  private createClientId(): string {
    return this.options.createClientId?.() ?? crypto.randomUUID()
  }
}

