import type { Duplex } from 'node:stream'
import { CLOSE_CODES, type CloseCode } from '@scalable-chat/protocol'
import { WebSocket } from 'ws'
import type { RoomSocket } from '../room/RoomSocket.js'
import { eachTurn, type WriteCoalescer } from './WriteCoalescer.js'

/**
 * Adapts a `ws` WebSocket to the `RoomSocket` a room talks to. `transport` is the TCP socket the
 * upgrade arrived on, which ws writes to: it is held (corked) for the rest of the turn on the first
 * frame of a turn, so that everything the turn sends this client leaves in one write.
 */
export class WsRoomSocket implements RoomSocket {
  /** What was queued when this turn's writes began to be held (see `bufferedAmount`). */
  private backlog = 0

  constructor(
    private readonly ws: WebSocket,
    private readonly transport?: Duplex,
    private readonly coalescer: WriteCoalescer = eachTurn,
  ) {}

  send(data: string | Buffer): void {
    // A room may still broadcast to a socket whose close is under way; ws would throw on it.
    if (this.ws.readyState !== WebSocket.OPEN) return
    if (this.transport && !this.coalescer.isHeld(this.transport)) {
      this.backlog = this.ws.bufferedAmount
      this.coalescer.hold(this.transport)
    }
    // `binary: false`: a broadcast arrives as a Buffer, but it is a JSON text frame.
    this.ws.send(data, { binary: false })
  }

  close(code: CloseCode): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close(code, CLOSE_CODES[code].reason)
    }
  }

  /**
   * How far behind the client is. While this turn's frames are held they are not the client
   * falling behind (they have not been offered to the network yet): only what was queued before.
   */
  get bufferedAmount(): number {
    return this.transport && this.coalescer.isHeld(this.transport) ? this.backlog : this.ws.bufferedAmount
  }
}
