/**
 * One room member speaking the board protocol in raw frames over `ws` (ChatConnection does not
 * draw), for the board fail-over tests: it joins through the backend, keeps the board as the
 * deltas say (snapshot, then shape_created/updated/deleted), sends edits and chat messages and
 * waits for their acknowledgement (the delta carrying its `ref`, the message carrying its
 * `clientId`). When a live connection closes it reconnects as the protocol says, and nothing
 * more: a fresh join naming the host as `failedHost` when the server went away (or closed
 * before any snapshot), a short pause between attempts, and a deadline. Every wait is bounded.
 */
import { WebSocket } from 'ws'
import type { ChatMessage, Shape, ShapeChanges, ShapeInput } from '@scalable-chat/backend-contract'
import { closeCodeInfo } from '@scalable-chat/protocol/codes'
import { handshakeUrl } from '@scalable-chat/protocol/handshake-url'
import { ServerMessage, type SnapshotEvent } from '@scalable-chat/protocol'
import { createApiClient, type ApiClient } from '../../src/api/createApiClient.js'
import { PASSWORD } from './connections.js'

/** A connection that sends no snapshot within this long counts as failed. */
const CONNECT_TIMEOUT_MS = 5000
/** Between two failed attempts to come back. */
const RETRY_PAUSE_MS = 250
/** A member not live again this long after its connection closed gives up (and says why). */
const RECONNECT_WITHIN_MS = 30_000
/** The default bound of every wait for an answer or a state. */
const WAIT_MS = 10_000

export interface ReceivedSnapshot {
  /** The session server that sent it. */
  host: string
  /** When it arrived (Date.now()). */
  at: number
  snapshot: SnapshotEvent
}

/** The connection closed before its snapshot: the host is named as `failedHost` on the next join. */
class ConnectFailure extends Error {
  constructor(
    readonly host: string,
    reason: string,
  ) {
    super(`${host}: ${reason}`)
  }
}

export class DrawingMember {
  readonly api: ApiClient
  userId = ''
  private token = ''
  private roomId = ''
  private ws: WebSocket | undefined
  /** The session server of the live connection (the last one, once it closed). */
  host = ''
  live = false
  /** Every snapshot, oldest first: one per connection. */
  readonly snapshots: ReceivedSnapshot[] = []
  /** The board as this member sees it. */
  readonly board = new Map<string, Shape>()
  boardVersion = 0
  /** The chat as this member sees it, by seq. */
  readonly messages = new Map<number, ChatMessage>()
  /** Every failed attempt to come back, with when it failed (Date.now()), for a failure's message. */
  readonly failedAttempts: string[] = []
  /** Why reconnecting gave up, if it did. */
  gaveUp: Error | undefined
  /** Every frame received, all connections together. */
  private readonly frames: ServerMessage[] = []
  private readonly listeners = new Set<() => void>()
  private counter = 0
  private disposed = false

  private constructor(
    backendUrl: string,
    readonly username: string,
  ) {
    this.api = createApiClient({ baseUrl: backendUrl, getToken: () => this.token || null })
  }

  static async register(backendUrl: string, username: string): Promise<DrawingMember> {
    const member = new DrawingMember(backendUrl, username)
    const auth = await member.api.register({ username, password: PASSWORD })
    member.token = auth.token
    member.userId = auth.user.id
    return member
  }

  /** Joins the room and resolves once live. */
  async join(roomId: string): Promise<void> {
    this.roomId = roomId
    await this.connectOnce(undefined)
  }

  /** The board's shapes, by id. */
  shapes(): Shape[] {
    return [...this.board.values()].sort(byId)
  }

  /** Resolves once `predicate` holds (checked now and after every frame and state change); rejects after `timeoutMs`. */
  until(what: string, predicate: () => boolean, timeoutMs = WAIT_MS): Promise<void> {
    return this.waitFor(what, () => (predicate() ? true : undefined), timeoutMs).then(() => undefined)
  }

  /** Creates a shape; resolves with it as the server stored it (its `shape_created`, carrying our ref). */
  async draw(shape: ShapeInput): Promise<Shape> {
    const ref = this.nextRef('c')
    const answer = this.answerTo(ref, 'shape_created')
    this.sendFrame({ type: 'shape_create', shape, ref })
    return (await answer).shape
  }

  /**
   * Changes fields of a shape, made on the version this member sees (once it sees the shape: one
   * another member just drew may still be on its way); resolves with the new version.
   */
  async update(id: string, changes: ShapeChanges): Promise<number> {
    await this.until(`shape ${id} on the board`, () => this.board.has(id))
    const current = this.board.get(id)!
    const ref = this.nextRef('u')
    const answer = this.answerTo(ref, 'shape_updated')
    this.sendFrame({ type: 'shape_update', id, version: current.version, changes, ref })
    return (await answer).version
  }

  /** Deletes a shape; resolves with the answer (to a fresh delete, the broadcast `shape_deleted`). */
  async erase(id: string): Promise<Extract<ServerMessage, { type: 'shape_deleted' }>> {
    const ref = this.nextRef('d')
    const answer = this.answerTo(ref, 'shape_deleted')
    this.sendFrame({ type: 'shape_delete', id, ref })
    return answer
  }

  /** Sends a create again as is, as a client re-sending after a reconnect would; resolves with the answer, whichever. */
  async resendCreate(shape: ShapeInput): Promise<Extract<ServerMessage, { type: 'shape_created' | 'shape_deleted' }>> {
    const ref = this.nextRef('r')
    const answer = this.waitFor(
      `the answer to re-sent create ${ref}`,
      this.frameAfter((f): f is Extract<ServerMessage, { type: 'shape_created' | 'shape_deleted' }> => (f.type === 'shape_created' || f.type === 'shape_deleted') && f.ref === ref, ref),
      WAIT_MS,
    )
    this.sendFrame({ type: 'shape_create', shape, ref })
    return answer
  }

  /** Sends a chat message; resolves with it once stored (its broadcast is the acknowledgement). */
  async say(text: string): Promise<ChatMessage> {
    const clientId = this.nextRef('m')
    const answer = this.waitFor(
      `the acknowledgement of message ${clientId}`,
      this.frameAfter((f): f is Extract<ServerMessage, { type: 'message' }> => f.type === 'message' && f.message.clientId === clientId && f.message.userId === this.userId, clientId),
      WAIT_MS,
    )
    this.sendFrame({ type: 'send', clientId, text })
    return (await answer).message
  }

  dispose(): void {
    this.disposed = true
    this.live = false
    this.ws?.terminate()
    this.notify()
  }

  // Connecting --------------------------------------------------------------------------------

  /** One join and one connection, resolved at its snapshot. */
  private async connectOnce(failedHost: string | undefined): Promise<void> {
    const { host, token } = await this.api.joinRoom(this.roomId, failedHost)
    if (this.disposed) throw new Error(`${this.username} was disposed`)
    const ws = new WebSocket(handshakeUrl({ host, token, secure: false }))
    this.ws = ws
    await new Promise<void>((resolve, reject) => {
      let opened = false
      const timer = setTimeout(() => {
        ws.terminate()
        reject(new ConnectFailure(host, `no snapshot within ${CONNECT_TIMEOUT_MS} ms`))
      }, CONNECT_TIMEOUT_MS)
      ws.on('error', () => {}) // surfaces as the close
      ws.on('message', (data) => {
        if (this.disposed || this.ws !== ws) return
        const frame = ServerMessage.parse(JSON.parse(String(data)))
        if (frame.type === 'snapshot' && !opened) {
          opened = true
          clearTimeout(timer)
          this.host = host
          this.live = true
          this.snapshots.push({ host, at: Date.now(), snapshot: frame })
          resolve()
        }
        this.receive(frame)
      })
      ws.on('close', (code) => {
        if (!opened) {
          clearTimeout(timer)
          reject(new ConnectFailure(host, `closed with ${code} before its snapshot`))
          return
        }
        if (this.ws !== ws) return
        this.live = false
        this.notify()
        if (!this.disposed) void this.comeBack(host, code)
      })
    })
  }

  /** After a live connection closed: join again and connect, until live or the deadline passes. */
  private async comeBack(lastHost: string, code: number): Promise<void> {
    const deadline = Date.now() + RECONNECT_WITHIN_MS
    let failedHost = closeCodeInfo(code).serverGone ? lastHost : undefined
    const attempts: string[] = []
    while (!this.disposed) {
      try {
        await this.connectOnce(failedHost)
        return
      } catch (error) {
        attempts.push(error instanceof Error ? error.message : String(error))
        this.failedAttempts.push(`${Date.now()} ${attempts.at(-1)}`)
        // A host that closed before any snapshot is named, so the backend re-checks it at once.
        failedHost = error instanceof ConnectFailure ? error.host : failedHost
      }
      if (Date.now() + RETRY_PAUSE_MS > deadline) {
        this.gaveUp = new Error(`${this.username} not live again within ${RECONNECT_WITHIN_MS} ms: ${attempts.join('; ')}`)
        this.notify()
        return
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS))
    }
  }

  // Frames ------------------------------------------------------------------------------------

  private receive(frame: ServerMessage): void {
    this.frames.push(frame)
    switch (frame.type) {
      case 'snapshot':
        this.board.clear()
        for (const shape of frame.board.shapes) this.board.set(shape.id, shape)
        this.boardVersion = frame.board.version
        this.messages.clear()
        for (const message of frame.messages) this.messages.set(message.seq, message)
        break
      case 'shape_created':
        this.board.set(frame.shape.id, frame.shape)
        this.boardVersion = Math.max(this.boardVersion, frame.shape.version)
        break
      case 'shape_updated': {
        const shape = this.board.get(frame.id)
        if (shape) this.board.set(frame.id, { ...shape, ...frame.changes, version: frame.version } as Shape)
        this.boardVersion = Math.max(this.boardVersion, frame.version)
        break
      }
      case 'shape_deleted':
        this.board.delete(frame.id)
        this.boardVersion = Math.max(this.boardVersion, frame.version)
        break
      case 'message':
        this.messages.set(frame.message.seq, frame.message)
        break
      default:
        break
    }
    this.notify()
  }

  private sendFrame(frame: object): void {
    if (!this.live || !this.ws) throw new Error(`${this.username} is not connected`)
    this.ws.send(JSON.stringify(frame))
  }

  private nextRef(kind: string): string {
    return `${kind}-${this.userId.slice(0, 8)}-${++this.counter}`
  }

  /** The answer of `type` to the edit `ref`; rejects on an error frame carrying `ref`. */
  private answerTo<T extends 'shape_created' | 'shape_updated' | 'shape_deleted'>(ref: string, type: T): Promise<Extract<ServerMessage, { type: T }>> {
    return this.waitFor(
      `the answer to ${ref}`,
      this.frameAfter((f): f is Extract<ServerMessage, { type: T }> => f.type === type && f.ref === ref, ref),
      WAIT_MS,
    )
  }

  /**
   * A check for the first frame matching `match` among those received from now on; it throws
   * when an error frame names `ref` (the edit or message was refused).
   */
  private frameAfter<F extends ServerMessage>(match: (frame: ServerMessage) => frame is F, ref: string): () => F | undefined {
    const from = this.frames.length
    return () => {
      for (let i = from; i < this.frames.length; i++) {
        const frame = this.frames[i]!
        if (match(frame)) return frame
        if (frame.type === 'error' && (frame.ref === ref || frame.clientId === ref)) {
          throw new Error(`${this.username}: ${ref} refused: ${frame.code} (${frame.message})`)
        }
      }
      return undefined
    }
  }

  private waitFor<T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const settle = (outcome: () => void) => {
        this.listeners.delete(listener)
        clearTimeout(timer)
        outcome()
      }
      const listener = () => {
        try {
          const result = check()
          if (result !== undefined) settle(() => resolve(result))
          else if (this.gaveUp) settle(() => reject(this.gaveUp))
        } catch (error) {
          settle(() => reject(error))
        }
      }
      const timer = setTimeout(() => settle(() => reject(new Error(`${this.username}: no ${what} within ${timeoutMs} ms`))), timeoutMs)
      this.listeners.add(listener)
      listener()
    })
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener()
  }
}

/** For comparing boards whatever the order of their shapes. */
export function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}
