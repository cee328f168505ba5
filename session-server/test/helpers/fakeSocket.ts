import { CLOSE_CODES, type CloseCode, type ServerMessage } from '@scalable-chat/protocol'
import type { RoomConnection, RoomSocket } from '../../src/room/RoomSocket.js'

/** A RoomSocket that records what it was sent, for room tests without a network. */
export class FakeSocket implements RoomSocket {
  readonly raw: string[] = []
  closed: { code: number; reason: string } | undefined
  bufferedAmount = 0

  send(data: string | Buffer): void {
    if (this.closed) throw new Error('send after close')
    this.raw.push(String(data))
  }

  close(code: CloseCode): void {
    this.closed ??= { code, reason: CLOSE_CODES[code].reason }
  }

  get messages(): ServerMessage[] {
    return this.raw.map((data) => JSON.parse(data) as ServerMessage)
  }

  ofType<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.messages.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type)
  }

  clear(): void {
    this.raw.length = 0
  }
}

let nextId = 0
export function fakeConnection(userId: string, username = userId): RoomConnection & { socket: FakeSocket } {
  return { id: `c${++nextId}`, userId, username, socket: new FakeSocket() }
}
