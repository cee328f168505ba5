import type { Duplex } from 'node:stream'
import { CLOSE_CODES, type CloseCode } from '@scalable-chat/protocol'
import { WebSocket } from 'ws'
import type { RoomSocket } from '../room/RoomSocket.js'

/**
 * Adapts a `ws` WebSocket to the `RoomSocket` a room talks to. `transport` is the TCP socket the
 * upgrade arrived on, which ws writes to: corking it is how a batch of frames becomes one write.
 */
export class WsRoomSocket implements RoomSocket {
  constructor(
    private readonly ws: WebSocket,
    private readonly transport?: Duplex,
  ) {}

  send(data: string | Buffer): void {
    // A room may still broadcast to a socket whose close is under way; ws would throw on it.
    // `binary: false`: a broadcast arrives as a Buffer, but it is a JSON text frame.
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(data, { binary: false })
  }

  cork(): void {
    this.transport?.cork()
  }

  uncork(): void {
    this.transport?.uncork()
  }

  close(code: CloseCode): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close(code, CLOSE_CODES[code].reason)
    }
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount
  }
}
