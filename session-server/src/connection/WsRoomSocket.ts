import type { Duplex } from 'node:stream'
import { CLOSE_CODES, type CloseCode } from '@scalable-chat/protocol'
import { WebSocket } from 'ws'
import type { RoomSocket } from '../room/RoomSocket.js'

/**
 * Transports corked by a send during this turn of the event loop, uncorked together at its end
 * (`setImmediate`): every frame a socket gets within one turn leaves in ONE write. A join or a
 * leave sends each member a frame of its own, and when many land in one turn (a burst of
 * connects, a room filling up) each member would otherwise cost one system call per frame: the
 * handshake profile was mostly `writev`. The frames wait at most until the loop's check phase.
 */
const corkedThisTurn = new Set<Duplex>()
let flushScheduled = false

function uncorkAll(): void {
  flushScheduled = false
  for (const transport of corkedThisTurn) transport.uncork()
  corkedThisTurn.clear()
}

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
    if (this.ws.readyState !== WebSocket.OPEN) return
    const { transport } = this
    if (transport !== undefined && !corkedThisTurn.has(transport)) {
      transport.cork()
      corkedThisTurn.add(transport)
      if (!flushScheduled) {
        flushScheduled = true
        setImmediate(uncorkAll)
      }
    }
    // `binary: false`: a broadcast arrives as a Buffer, but it is a JSON text frame.
    this.ws.send(data, { binary: false })
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
