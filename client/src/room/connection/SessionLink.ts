/**
 * The link to a room's session server: joins through the backend (a fresh `GET /api/rooms/:roomId`
 * every time, which is how it follows a room to its new server), opens the WebSocket, parses each
 * frame once, and after a close does what the protocol's close-code table says: reconnect at once
 * (a server that went away, a room that moved: once in a row), after a capped, jittered backoff,
 * or never (a final state, explained to the user). It pauses while the device is offline.
 *
 * Its state is one discriminated union (`LinkState`); the status the views show is derived from it.
 */
import type { JoinRoomResponse } from '@scalable-chat/backend-contract'
import type { ClientMessage, ServerMessage } from '@scalable-chat/protocol'
import { closeCodeInfo, CloseCode, type FinalCloseCode } from '@scalable-chat/protocol/codes'
import { handshakeUrl } from '@scalable-chat/protocol/handshake-url'
import { ApiError } from '../../api/ApiError.js'
import type { ApiClient } from '../../api/createApiClient.js'
import { backoffDelay } from './backoffDelay.js'
import { ClosedReason, type ConnectionStatus } from './connectionStatus.js'
import type { NetworkStatus } from './networkStatus.js'

/** The part of a WebSocket the link uses: the browser's, or `ws` in Node (tests, the terminal client). */
export interface SocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onmessage: ((event: { data: unknown }) => void) | null
  onclose: ((event: { code: number; reason: string }) => void) | null
  onerror: ((event: unknown) => void) | null
}
export type SocketConstructor = new (url: string) => SocketLike

export interface SessionLinkListener {
  /** Every status but live: the snapshot frame, which comes right after the link went live, says that. */
  status(status: ConnectionStatus): void
  /** The backend answered a join: the room, before any snapshot. */
  joined(join: JoinRoomResponse): void
  /** A frame from the session server (parsed, not validated: the client trusts its own servers). */
  frame(frame: ServerMessage): void
}

export interface SessionLinkOptions {
  roomId: string
  api: Pick<ApiClient, 'joinRoom'>
  WebSocket: SocketConstructor
  /** `wss:` for `host:port` addresses (a page served over https may not open `ws:`). */
  secure: boolean
  network: NetworkStatus
  random: () => number
  /** The latest seq the client holds: the next snapshot brings exactly what came after it. */
  latestSeq(): number | undefined
  listener: SessionLinkListener
}

/** `attempt`: failed attempts in a row so far (0 for the first connect, or right after being live). */
type LinkState =
  | { kind: 'idle' }
  | { kind: 'joining'; attempt: number }
  | { kind: 'opening'; attempt: number; socket: SocketLike; host: string }
  | { kind: 'live'; socket: SocketLike; host: string }
  | { kind: 'waiting'; attempt: number; retryAt: number; timer: ReturnType<typeof setTimeout> }
  | { kind: 'offline'; attempt: number }
  | { kind: 'closed'; reason: ClosedReason }
  | { kind: 'disposed' }

const SOCKET_OPEN = 1

/** The final close codes, as what the user is told. */
const CLOSED_BY_CODE: Record<FinalCloseCode, ClosedReason> = {
  [CloseCode.POLICY_VIOLATION]: ClosedReason.POLICY_VIOLATION,
  [CloseCode.PROTOCOL_MISMATCH]: ClosedReason.PROTOCOL_MISMATCH,
  [CloseCode.ROOM_DELETED]: ClosedReason.DELETED,
  [CloseCode.LEFT_ROOM]: ClosedReason.LEFT,
  [CloseCode.ROOM_FULL]: ClosedReason.ROOM_FULL,
  [CloseCode.TOO_MANY_CONNECTIONS]: ClosedReason.TOO_MANY_CONNECTIONS,
}

export class SessionLink {
  private state: LinkState = { kind: 'idle' }
  private status: ConnectionStatus = { kind: 'connecting', attempt: 0 }
  /** A host that failed us (never served a snapshot, or went away): the next join asks the backend to check it at once. */
  private failedHost: string | undefined
  /** Once live, every later join is a reconnect (`rejoin`): it must not undo a leave made elsewhere. */
  private wasLive = false
  private unsubscribeNetwork: (() => void) | undefined

  constructor(private readonly options: SessionLinkOptions) {}

  start(): void {
    if (this.state.kind !== 'idle') return
    this.unsubscribeNetwork = this.options.network.subscribe(() => this.onNetworkChange())
    void this.connect(0)
  }

  /** Sends a frame while live; false (nothing sent) otherwise. */
  send(frame: ClientMessage): boolean {
    if (this.state.kind !== 'live' || this.state.socket.readyState !== SOCKET_OPEN) return false
    this.state.socket.send(JSON.stringify(frame))
    return true
  }

  /** Skips the backoff wait (the banner's "Retry now"). Does nothing unless waiting or offline. */
  retryNow(): void {
    if (this.state.kind === 'waiting' || this.state.kind === 'offline') void this.connect(this.state.attempt)
  }

  /** Final: no reconnect (the room was deleted, say). */
  close(reason: ClosedReason): void {
    if (this.state.kind !== 'disposed') this.enter({ kind: 'closed', reason })
  }

  dispose(): void {
    this.unsubscribeNetwork?.()
    this.enter({ kind: 'disposed' })
  }

  private async connect(attempt: number): Promise<void> {
    if (!this.options.network.isOnline()) {
      this.enter({ kind: 'offline', attempt })
      return
    }
    const joining = this.enter({ kind: 'joining', attempt })
    let join: JoinRoomResponse
    try {
      join = await this.options.api.joinRoom(this.options.roomId, this.failedHost, this.wasLive)
    } catch (error) {
      if (this.state !== joining) return
      const final = error instanceof ApiError ? closedReasonForStatus(error.status) : undefined
      if (final) this.enter({ kind: 'closed', reason: final })
      else this.retryLater(attempt + 1)
      return
    }
    if (this.state !== joining) return
    this.options.listener.joined(join)
    let socket: SocketLike
    try {
      const url = handshakeUrl({ host: join.host, token: join.token, since: this.options.latestSeq(), secure: this.options.secure })
      socket = new this.options.WebSocket(url)
    } catch {
      // An invalid host from the backend: a failed attempt, not a crash.
      this.retryLater(attempt + 1)
      return
    }
    socket.onmessage = (event) => this.onMessage(socket, event.data)
    socket.onclose = (event) => this.onClose(socket, event.code)
    // An error is always followed by a close event, which decides what happens next.
    socket.onerror = () => {}
    this.enter({ kind: 'opening', attempt, socket, host: join.host })
  }

  private onMessage(socket: SocketLike, data: unknown): void {
    const state = this.state
    if (!((state.kind === 'opening' || state.kind === 'live') && state.socket === socket)) return
    const frame = parseFrame(data)
    if (!frame) return
    // Only a snapshot proves the host serves the room: a closed room answers with an `error` first.
    if (frame.type === 'snapshot' && state.kind === 'opening') {
      this.failedHost = undefined
      this.enter({ kind: 'live', socket, host: state.host })
    }
    this.options.listener.frame(frame)
  }

  private onClose(socket: SocketLike, code: number): void {
    const state = this.state
    if (!((state.kind === 'opening' || state.kind === 'live') && state.socket === socket)) return
    const policy = closeCodeInfo(code)
    // It never served us, or it crashed or is draining: the next join asks the backend to check it
    // at once, rather than trust a health check that may be seconds old.
    if (state.kind === 'opening' || policy.serverGone) this.failedHost = state.host
    if (policy.reconnect === 'never') {
      this.enter({ kind: 'closed', reason: CLOSED_BY_CODE[code as FinalCloseCode] ?? ClosedReason.POLICY_VIOLATION })
    } else if (policy.reconnect === 'now' && state.kind === 'live') {
      // The room is (about to be) served elsewhere: go at once, but only after being live, so a
      // server that keeps failing cannot make the client spin.
      void this.connect(0)
    } else {
      this.retryLater(state.kind === 'live' ? 1 : state.attempt + 1)
    }
  }

  private retryLater(attempt: number): void {
    if (!this.options.network.isOnline()) {
      this.enter({ kind: 'offline', attempt })
      return
    }
    const delay = backoffDelay(attempt, { random: this.options.random })
    const timer = setTimeout(() => void this.connect(attempt), delay)
    this.enter({ kind: 'waiting', attempt, retryAt: Date.now() + delay, timer })
  }

  private onNetworkChange(): void {
    const state = this.state
    if (!this.options.network.isOnline()) {
      if (state.kind === 'waiting') this.enter({ kind: 'offline', attempt: state.attempt })
    } else if (state.kind === 'offline') {
      void this.connect(state.attempt)
    }
  }

  /**
   * Every transition goes through here: it ends what the state it leaves owned (a retry timer, a
   * socket: detached first, so its late events are ignored), and announces a changed status.
   */
  private enter<S extends LinkState>(next: S): S {
    const previous = this.state
    if (previous.kind === 'disposed') return next
    if (previous.kind === 'waiting') clearTimeout(previous.timer)
    if ((previous.kind === 'opening' || previous.kind === 'live') && !('socket' in next && next.socket === previous.socket)) {
      closeQuietly(previous.socket)
    }
    this.state = next
    if (next.kind === 'live') this.wasLive = true
    const status = statusOf(next)
    if (status && !sameStatus(status, this.status)) {
      this.status = status
      // Live is announced by the snapshot that makes it so (the listener gets that frame next),
      // so that no one sees a live room without its contents.
      if (status.kind !== 'live') this.options.listener.status(status)
    }
    return next
  }
}

/** The status the views show; `undefined` for states with none (idle, disposed). */
function statusOf(state: LinkState): ConnectionStatus | undefined {
  switch (state.kind) {
    case 'joining':
    case 'opening':
      return { kind: 'connecting', attempt: state.attempt }
    case 'live':
      return { kind: 'live' }
    case 'waiting':
      return { kind: 'reconnecting', attempt: state.attempt, retryAt: state.retryAt }
    case 'offline':
      return { kind: 'offline' }
    case 'closed':
      return { kind: 'closed', reason: state.reason }
    case 'idle':
    case 'disposed':
      return undefined
    default:
      return state satisfies never
  }
}

function sameStatus(a: ConnectionStatus, b: ConnectionStatus): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/**
 * Stops listening, then closes: a socket the link has left must not report back. Closing one that
 * is still connecting throws in some implementations; it is gone either way.
 */
function closeQuietly(socket: SocketLike): void {
  socket.onmessage = null
  socket.onclose = null
  try {
    socket.close(CloseCode.NORMAL, 'leaving')
  } catch {
    // See above: nothing is left to close.
  }
}

function parseFrame(data: unknown): ServerMessage | undefined {
  if (typeof data !== 'string') return undefined
  try {
    const frame = JSON.parse(data) as ServerMessage | null
    return typeof frame?.type === 'string' ? frame : undefined
  } catch {
    return undefined
  }
}

/** The backend's answers to a join that no retry can change. */
function closedReasonForStatus(status: number): ClosedReason | undefined {
  if (status === 404) return ClosedReason.NOT_FOUND
  // A reconnect after the user left the room on another device or tab.
  if (status === 410) return ClosedReason.LEFT
  if (status === 403) return ClosedReason.FORBIDDEN
  if (status === 401) return ClosedReason.SIGNED_OUT
  return undefined
}
