import type { ChatMessage } from '@scalable-chat/backend-contract'
import { clientKey } from '@scalable-chat/backend-contract/internal'

/**
 * How many stored messages a room keeps in memory: the snapshot needs the latest 100, and the rest
 * lets a client that was away for a while resume with `since` instead of reloading the page.
 */
export const HISTORY_CAPACITY = 1000

/** The latest stored messages of one room, in seq order, with a lookup by `(userId, clientId)`. */
export class MessageHistory {
  private readonly messages: ChatMessage[] = []
  private readonly byClientKey = new Map<string, ChatMessage>()

  constructor(
    initial: readonly ChatMessage[],
    private readonly capacity = HISTORY_CAPACITY,
  ) {
    for (const message of initial) this.append(message)
  }

  append(message: ChatMessage): void {
    this.messages.push(message)
    this.byClientKey.set(clientKey(message.userId, message.clientId), message)
    while (this.messages.length > this.capacity) {
      const dropped = this.messages.shift()
      if (dropped) this.byClientKey.delete(clientKey(dropped.userId, dropped.clientId))
    }
  }

  /** The stored message a user sent with this clientId, if it is still in memory. */
  findByClientId(userId: string, clientId: string): ChatMessage | undefined {
    return this.byClientKey.get(clientKey(userId, clientId))
  }

  latest(count: number): ChatMessage[] {
    return this.messages.slice(-count)
  }

  /**
   * Exactly the messages after `since`, or `undefined` when memory no longer holds all of them
   * (or `since` is ahead of `latestSeq`, which means the client saw another history).
   */
  after(since: number, latestSeq: number): ChatMessage[] | undefined {
    if (since > latestSeq) return undefined
    const firstSeq = this.messages[0]?.seq ?? latestSeq + 1
    if (since < firstSeq - 1) return undefined
    return this.messages.filter((m) => m.seq > since)
  }
}
