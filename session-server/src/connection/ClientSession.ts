/**
 * One WebSocket connection from join to close: joins the room named by its token, takes every
 * frame from its user's frame allowance, parses it once, hands valid messages to the room and
 * answers refusals with error frames (closing the connection after too many).
 */
import { randomUUID } from 'node:crypto'
import type { Duplex } from 'node:stream'
import type { RawData, WebSocket } from 'ws'
import type { RoomTokenClaims } from '@scalable-chat/backend-contract/internal'
import { CloseCode, ErrorCode, type ClientMessage, type ServerMessage } from '@scalable-chat/protocol'
import type { Logger } from '../logger.js'
import type { Room } from '../room/Room.js'
import type { RoomRegistry } from '../room/RoomRegistry.js'
import type { RoomConnection } from '../room/RoomSocket.js'
import type { ConnectionSlot } from './ConnectionLimits.js'
import type { FrameRateLimiter } from './FrameRateLimiter.js'
import { parseClientFrame, type FrameError } from './parseClientFrame.js'
import { StrikeCounter } from './StrikeCounter.js'
import { WsRoomSocket } from './WsRoomSocket.js'

type SessionState = { state: 'joining' } | { state: 'joined'; room: Room } | { state: 'closed' }

/**
 * Frames received and not yet handled, past which the socket stops reading: the rest waits in
 * the client's buffers (TCP backpressure), not ours. It reads again once the backlog is down to
 * a quarter, so a burst within the client's allowance is only slowed, never refused.
 */
export const PAUSE_AT_QUEUED_FRAMES = 32
/**
 * A paused socket still delivers every frame of what it already read, and one TCP read may hold
 * thousands of tiny frames: past this many waiting, frames are refused at once instead of queued.
 */
export const MAX_QUEUED_FRAMES = 512

/**
 * Refusals that are no fault of the client's: over the message limits (from the room), storage
 * backed up, a board edit that met someone else's (the shape deleted or changed meanwhile, the
 * board filled up), and a change of a message that met someone else's.
 */
const EXPECTED_REFUSALS: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.RATE_LIMITED,
  ErrorCode.UNAVAILABLE,
  ErrorCode.SHAPE_NOT_FOUND,
  ErrorCode.STALE_UPDATE,
  ErrorCode.BOARD_FULL,
  // A message deleted, or given its twentieth emoji, by someone else meanwhile.
  ErrorCode.MESSAGE_DELETED,
  ErrorCode.TOO_MANY_REACTIONS,
])

/** What a refusal names, so the client can tell which of its frames it answers. */
function nameOf(message: ClientMessage): Pick<FrameError, 'clientId' | 'ref'> {
  if ('clientId' in message) return { clientId: message.clientId }
  if ('ref' in message && message.ref !== undefined) return { ref: message.ref }
  return {}
}

/** What every connection of a server shares: one object per server, not one per connection. */
export interface SessionServices {
  rooms: RoomRegistry
  /** Every frame's cost, per user over the whole server. */
  frameLimiter: FrameRateLimiter
  /** The server's logger: a connection makes its child (with its ids) only when it logs a line. */
  logger: Logger
  /** Counts refused frames by reason (`rejected_inputs_total`). */
  metrics?: { reject(reason: string): void }
}

/** What is this connection's own. Not kept as is: the session keeps the few fields it needs. */
export interface ClientSessionDeps {
  ws: WebSocket
  /** The TCP socket under `ws` (see `WsRoomSocket`). */
  transport?: Duplex
  claims: RoomTokenClaims
  since: number | undefined
  /** The connection's place in the server's counts (`ConnectionLimits`); released once, when it closes. */
  slot?: ConnectionSlot
  /** The upgrade request's id, on every line this connection logs. */
  reqId?: string
}

type LogLevel = 'debug' | 'info' | 'error'

/**
 * Kept small on purpose: a server holds tens of thousands of these, mostly idle. What every
 * connection shares is in `services`; a child logger (~600 bytes with its bindings) and the strike
 * counter are made only when first needed, and the token's claims are not kept.
 */
export class ClientSession implements RoomConnection {
  readonly id = randomUUID().slice(0, 8)
  readonly userId: string
  readonly username: string
  readonly guest: boolean
  readonly readSeq: number
  readonly socket: WsRoomSocket
  private readonly ws: WebSocket
  private readonly roomId: string
  private readonly slot: ConnectionSlot | undefined
  private readonly reqId: string | undefined
  private state: SessionState = { state: 'joining' }
  private strikes: StrikeCounter | undefined
  private log: Logger | undefined
  /**
   * Frames are handled one after another, in arrival order, and only after the join: a send is
   * taken in asynchronously (its rate allowance), and a frame that arrives while the room loads
   * must wait for it.
   */
  private queue: Promise<void>
  private queued = 0

  constructor(
    private readonly services: SessionServices,
    { ws, transport, claims, since, slot, reqId }: ClientSessionDeps,
  ) {
    this.userId = claims.sub
    this.username = claims.username
    this.guest = claims.guest === true
    this.readSeq = claims.readSeq
    this.roomId = claims.roomId
    this.ws = ws
    this.slot = slot
    this.reqId = reqId
    this.socket = new WsRoomSocket(ws, transport)
    ws.on('message', (data, isBinary) => {
      if (this.state.state === 'closed') return
      if (this.queued >= MAX_QUEUED_FRAMES) {
        return this.refuse({ code: ErrorCode.RATE_LIMITED, message: 'too many frames at once; wait for the answers' }, 'frames_queued')
      }
      this.queued++
      this.applyBackpressure()
      this.queue = this.queue
        .then(() => this.onFrame(data, isBinary))
        .finally(() => {
          this.queued--
          this.applyBackpressure()
        })
    })
    ws.on('close', () => this.onClose())
    ws.on('error', (error: Error & { code?: string }) => {
      // ws reports protocol violations here (a frame over maxPayload, invalid UTF-8) and closes with 1009/1007.
      services.metrics?.reject(error.code ?? 'socket_error')
      this.logAt('debug', { err: error }, 'socket error')
    })
    this.applyBackpressure()
    this.queue = this.join(claims.epoch, since)
      .catch((error: unknown) => {
        this.logAt('error', { err: error }, 'join failed')
        this.closeWith(CloseCode.ROOM_UNAVAILABLE)
      })
      .finally(() => this.applyBackpressure())
  }

  /**
   * Logs a line with the connection's ids, making its child logger the first time a line is
   * actually written (at the default level most connections never log one).
   */
  private logAt(level: LogLevel, fields: object, message: string): void {
    const { logger } = this.services
    if (!logger.isLevelEnabled(level)) return
    this.log ??= logger.child({ ...(this.reqId === undefined ? {} : { reqId: this.reqId }), connectionId: this.id, roomId: this.roomId, userId: this.userId })
    this.log[level](fields, message)
  }

  /**
   * Reads from the socket only while frames can be handled: not while the room loads (nothing
   * can be handled before the snapshot) and not while a backlog waits. A closed session reads
   * again: its close handshake needs the client's answer.
   */
  private applyBackpressure(): void {
    const { ws } = this
    const backlog = this.queued >= PAUSE_AT_QUEUED_FRAMES || (ws.isPaused && this.queued > PAUSE_AT_QUEUED_FRAMES / 4)
    const hold = this.state.state === 'joining' || (this.state.state === 'joined' && backlog)
    if (hold && !ws.isPaused) ws.pause()
    else if (!hold && ws.isPaused) ws.resume()
  }

  private async join(epoch: number | undefined, since: number | undefined): Promise<void> {
    const { rooms } = this.services
    const acquired = await rooms.acquire(this.roomId, epoch)
    if (this.state.state === 'closed') {
      if (acquired.ok) rooms.unloadIfEmpty(acquired.room)
      return
    }
    if (!acquired.ok) return this.closeWith(acquired.close)
    const joined = acquired.room.join(this, since)
    if (!joined.ok) {
      this.sendError(joined)
      rooms.unloadIfEmpty(acquired.room)
      return this.closeWith(joined.close ?? CloseCode.ROOM_UNAVAILABLE)
    }
    this.state = { state: 'joined', room: acquired.room }
    this.logAt('debug', {}, 'joined')
  }

  private async onFrame(data: RawData, isBinary: boolean): Promise<void> {
    // One bad frame must never take the process down: everything below is caught here.
    try {
      if (this.state.state !== 'joined') return
      const allowed = await this.services.frameLimiter.tryConsume(this.userId)
      if (this.state.state !== 'joined') return
      const parsed = parseClientFrame(data, isBinary)
      if (!allowed) {
        // Parsed only to name a refused send or edit, so its client re-sends it; a flood is cut short by the strikes.
        const named = parsed.ok ? nameOf(parsed.message) : {}
        return this.refuse({ code: ErrorCode.RATE_LIMITED, message: 'too many frames; slow down', ...named }, 'frame_rate')
      }
      if (!parsed.ok) return this.refuse(parsed)
      const message = parsed.message
      const outcome = await this.state.room.handle(this, message)
      if (!outcome.ok) this.refuse({ ...outcome, ...nameOf(message) })
    } catch (error) {
      this.logAt('error', { err: error }, 'failed to handle a frame')
      this.refuse({ code: ErrorCode.UNAVAILABLE, message: 'the frame could not be handled' })
    }
  }

  /**
   * Answers a refused frame and counts a strike, except for refusals a client following the
   * protocol meets (`EXPECTED_REFUSALS`): waiting, or taking the room's news, is all it has to
   * do, and a paced re-send must not get it closed. Frames over the frame allowance (`reason`)
   * do count: no client following the protocol comes near it.
   */
  private refuse(error: FrameError, reason?: 'frame_rate' | 'frames_queued'): void {
    this.services.metrics?.reject(reason ?? error.code)
    if (this.state.state === 'closed') return
    this.sendError(error)
    const clientsFault = reason !== undefined || !EXPECTED_REFUSALS.has(error.code)
    if (clientsFault && (this.strikes ??= new StrikeCounter()).strike()) {
      this.logAt('info', { reason: reason ?? error.code }, 'too many refused frames; closing')
      this.closeWith(CloseCode.POLICY_VIOLATION)
    }
  }

  private sendError({ code, message, clientId, ref }: FrameError): void {
    const frame: ServerMessage = {
      type: 'error',
      code,
      message,
      ...(clientId === undefined ? {} : { clientId }),
      ...(ref === undefined ? {} : { ref }),
    }
    this.socket.send(JSON.stringify(frame))
  }

  private closeWith(code: CloseCode): void {
    this.leaveRoom()
    this.state = { state: 'closed' }
    this.socket.close(code)
  }

  private onClose(): void {
    this.leaveRoom()
    this.state = { state: 'closed' }
    this.slot?.release()
    this.logAt('debug', {}, 'closed')
  }

  private leaveRoom(): void {
    if (this.state.state === 'joined') this.state.room.leave(this)
  }
}
