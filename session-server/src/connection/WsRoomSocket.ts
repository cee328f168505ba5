import { WebSocket } from 'ws'
import type { RoomSocket } from '../room/RoomSocket.js'

/** Adapts a `ws` WebSocket to the `RoomSocket` a room talks to. */
export class WsRoomSocket implements RoomSocket {
  constructor(private readonly ws: WebSocket) {}

  send(data: string): void {
    // A room may still broadcast to a socket whose close is under way; ws would throw on it.
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(data)
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close(code, reason)
    }
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount
  }
}
