import { randomBytes } from 'node:crypto'
import type { Socket } from 'node:net'
import WebSocket from 'ws'
import { ServerMessage } from '@scalable-chat/protocol'

type Of<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>

/**
 * A real WebSocket client that records every frame it receives (validated with the protocol's
 * `ServerMessage` schema, so the server's output is checked too) and lets tests wait for events.
 */
export class TestClient {
  readonly ws: WebSocket
  readonly received: ServerMessage[] = []
  /** How many of `received` `next()` has consumed. */
  private cursor = 0
  private listeners: Array<() => void> = []
  readonly opened: Promise<void>
  readonly closed: Promise<{ code: number; reason: string }>
  /** The HTTP status when the upgrade was refused. */
  readonly rejected: Promise<number>

  constructor(url: string, options: { autoPong?: boolean } = {}) {
    this.ws = new WebSocket(url, { autoPong: options.autoPong ?? true })
    this.opened = new Promise((resolve) => this.ws.once('open', () => resolve()))
    this.closed = new Promise((resolve) =>
      this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    )
    this.rejected = new Promise((resolve) => this.ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)))
    this.ws.on('error', () => {}) // surfaced through `closed` / `rejected`
    this.ws.on('message', (data) => {
      this.received.push(ServerMessage.parse(JSON.parse(data.toString())))
      for (const listener of this.listeners) listener()
    })
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  /**
   * Sends text frames in ONE write to the TCP socket, so the server reads them together, as a
   * hostile client packing thousands of tiny frames into one segment would have it do. (`ws.send`
   * leaves the batching to Node's socket.) Frames of < 126 bytes, masked as a client's must be.
   */
  sendInOneWrite(frames: unknown[]): void {
    const encoded = frames.map((frame) => {
      const payload = Buffer.from(typeof frame === 'string' ? frame : JSON.stringify(frame))
      if (payload.length >= 126) throw new RangeError('sendInOneWrite takes frames under 126 bytes')
      const mask = randomBytes(4)
      return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, payload.map((byte, i) => byte ^ mask[i % 4]!)])
    })
    // ws keeps the socket it writes to here; only tests reach for it.
    ;(this.ws as unknown as { _socket: Socket })._socket.write(Buffer.concat(encoded))
  }

  /** The next not-yet-consumed frame of this type (frames of other types before it are skipped). */
  async next<T extends ServerMessage['type']>(type: T): Promise<Of<T>> {
    return this.waitUntil(() => {
      const index = this.received.findIndex((m, i) => i >= this.cursor && m.type === type)
      if (index === -1) return undefined
      this.cursor = index + 1
      return this.received[index] as Of<T>
    })
  }

  /** All frames of this type received so far. */
  all<T extends ServerMessage['type']>(type: T): Of<T>[] {
    return this.received.filter((m): m is Of<T> => m.type === type)
  }

  /** Resolves once `count` frames of this type have arrived; returns them. */
  async waitForCount<T extends ServerMessage['type']>(type: T, count: number): Promise<Of<T>[]> {
    return this.waitUntil(() => (this.all(type).length >= count ? this.all(type) : undefined))
  }

  terminate(): void {
    this.ws.terminate()
  }

  private waitUntil<R>(check: () => R | undefined): Promise<R> {
    return new Promise((resolve, reject) => {
      const attempt = (): boolean => {
        const result = check()
        if (result === undefined) return false
        this.listeners = this.listeners.filter((l) => l !== listener)
        this.ws.off('close', onClose)
        resolve(result)
        return true
      }
      const listener = () => void attempt()
      const onClose = () => {
        // Frames that arrived just before the close still count.
        if (!attempt()) reject(new Error(`connection closed while waiting; received ${JSON.stringify(this.received.map((m) => m.type))}`))
      }
      if (attempt()) return
      this.listeners.push(listener)
      this.ws.once('close', onClose)
    })
  }
}
