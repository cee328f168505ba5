import type { CloseCode } from '@scalable-chat/protocol'

/**
 * The only thing a `Room` knows about a connection's transport. Keeping `ws` out of room logic lets
 * the room be tested with a fake socket that records what it was sent (test/helpers/fakeSocket.ts);
 * `WsRoomSocket` adapts a real `ws` WebSocket.
 */
export interface RoomSocket {
  /**
   * Queue one text frame. A broadcast passes the same UTF-8 `Buffer` to every member, encoded once;
   * a string would be encoded again for each of them.
   */
  send(data: string | Buffer): void
  /** Start the closing handshake with a close code (its reason from the protocol's table). Idempotent. */
  close(code: CloseCode): void
  /** Bytes queued but not yet written to the network; how far behind this client is. */
  readonly bufferedAmount: number
}

/** One connection (one browser tab) of a user, as a room sees it. */
export interface RoomConnection {
  /** Unique per connection; used in logs. */
  readonly id: string
  readonly userId: string
  readonly username: string
  /** A guest (its room token says so): marked as one in the member list. */
  readonly guest?: boolean
  /** The user's read position in the room as stored when its token was minted (absent: 0). */
  readonly readSeq?: number
  readonly socket: RoomSocket
}
