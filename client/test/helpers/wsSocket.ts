import { WebSocket } from 'ws'
import type { SocketConstructor, SocketLike } from '../../src/room/connection/ChatConnection.js'

export interface SocketTap {
  /** Sees the URL of every socket opened. */
  onOpen?(url: string): void
  /** Sees every received frame before the connection does: the text to deliver, or null to drop it. */
  frame?(text: string): string | null
}

/**
 * `ws` behind ChatConnection's `SocketLike` (Node 20 has no global WebSocket), with an optional tap
 * so a test can record, drop or rewrite what the connection receives.
 */
export function wsSocket(tap: SocketTap = {}): SocketConstructor {
  return class TappedSocket implements SocketLike {
    private readonly ws: WebSocket
    onmessage: SocketLike['onmessage'] = null
    onclose: SocketLike['onclose'] = null
    onerror: SocketLike['onerror'] = null

    constructor(url: string) {
      tap.onOpen?.(url)
      this.ws = new WebSocket(url)
      this.ws.on('message', (data) => {
        const text = tap.frame ? tap.frame(String(data)) : String(data)
        if (text !== null) this.onmessage?.({ data: text })
      })
      this.ws.on('close', (code, reason) => this.onclose?.({ code, reason: String(reason) }))
      this.ws.on('error', (error) => this.onerror?.(error))
    }
    get readyState() {
      return this.ws.readyState
    }
    send(data: string) {
      this.ws.send(data)
    }
    close(code?: number, reason?: string) {
      this.ws.close(code, reason)
    }
  }
}
