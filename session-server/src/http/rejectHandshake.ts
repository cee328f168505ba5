import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'

/**
 * Answers a refused upgrade with a plain HTTP response and closes the TCP socket, so the client
 * never gets an open WebSocket. Ends the socket after the response is flushed (`finish`), like
 * ws's own `abortHandshake`: destroying at once could cut the response off.
 */
export function rejectHandshake(socket: Duplex, status: number, code: string, message: string): void {
  if (socket.destroyed) return
  const body = JSON.stringify({ error: { code, message } })
  socket.once('finish', () => socket.destroy())
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      '\r\n' +
      body,
  )
}
