import type { ChatMessage, MessageChange } from '@scalable-chat/backend-contract'
import { applyChange, indexOfSeq } from '@scalable-chat/backend-contract/changes'
import { clientKey, ROOM_LOAD_MESSAGES, type LoadRoomResponse } from '@scalable-chat/backend-contract/internal'
import type { ServerMessage } from '@scalable-chat/protocol'
import { CachedText, jsonText, type JsonText } from './JsonText.js'

/**
 * How many stored messages, and how many changes, a room keeps in memory: the snapshot needs the
 * latest 100 messages, and the rest lets a client that was away for a while resume with `since`
 * instead of reloading the page.
 */
export const HISTORY_CAPACITY = 1000

/** A stored entry of the log as the room broadcasts it. */
export type StoredEntry = Extract<ServerMessage, { type: 'message' | 'change' }>

/** The seq of a stored entry. */
export function seqOf(entry: StoredEntry): number {
  return entry.type === 'message' ? entry.message.seq : entry.change.seq
}

/** Who wrote a stored entry (the one its acknowledgement is for). */
export function writerOf(entry: StoredEntry): string {
  return entry.type === 'message' ? entry.message.userId : entry.change.userId
}

/**
 * The tail of one room's log in memory: the latest messages as they are now (every change since
 * the room loaded applied to them), the latest changes as they were stored, and a lookup by
 * `(userId, clientId)`. Every entry after `from` is here, which is what a resume needs.
 */
export class MessageHistory {
  private readonly messages: ChatMessage[] = []
  /** The latest page as text: what every snapshot that is not a resume carries, until an entry arrives. */
  private readonly latestPage = new CachedText<ChatMessage[]>(() => jsonText(this.latest(ROOM_LOAD_MESSAGES)))
  private readonly changes: MessageChange[] = []
  private readonly seqByClientKey = new Map<string, number>()
  /** Every entry of the log after this seq is held here. */
  private from: number

  constructor(
    loaded: Pick<LoadRoomResponse, 'messages' | 'changes' | 'logFrom'>,
    private readonly capacity = HISTORY_CAPACITY,
  ) {
    this.from = loaded.logFrom
    // The loaded messages are as they are now already: the loaded changes are only for resumes.
    for (const message of loaded.messages) this.append({ type: 'message', message })
    for (const change of loaded.changes) this.keepChange(change)
  }

  /** A new entry of the log (seq above every held one); a change is applied to the message it targets. */
  append(entry: StoredEntry): void {
    this.latestPage.clear()
    if (entry.type === 'message') {
      this.messages.push(entry.message)
      this.seqByClientKey.set(clientKey(entry.message.userId, entry.message.clientId), entry.message.seq)
    } else {
      const index = this.indexOf(entry.change.target)
      if (index >= 0) this.messages[index] = applyChange(this.messages[index]!, entry.change)
      this.keepChange(entry.change)
    }
    while (this.messages.length > this.capacity) this.forget(this.messages.shift()!)
  }

  /** The stored entry a user wrote with this clientId, if it is still in memory (a message as it is now). */
  findByClientId(userId: string, clientId: string): StoredEntry | undefined {
    const seq = this.seqByClientKey.get(clientKey(userId, clientId))
    if (seq === undefined) return undefined
    const message = this.message(seq)
    if (message) return { type: 'message', message }
    const change = this.changes[indexOfSeq(this.changes, seq)]
    return change && { type: 'change', change }
  }

  /** The message with this seq as it is now, if memory holds it. */
  message(seq: number): ChatMessage | undefined {
    return this.messages[this.indexOf(seq)]
  }

  /** Whether memory holds every entry with this seq, so a seq it has no message for is not a message. */
  holds(seq: number): boolean {
    return seq > this.from
  }

  latest(count: number): ChatMessage[] {
    return this.messages.slice(-count)
  }

  /** `latest(ROOM_LOAD_MESSAGES)` as text, serialised once per change of the log. */
  latestPageText(): JsonText<ChatMessage[]> {
    return this.latestPage.get()
  }

  /**
   * Exactly the entries after `since` (messages as they are now, and changes), or `undefined`
   * when memory no longer holds all of them (or `since` is ahead of `latestSeq`, which means the
   * client saw another history).
   */
  after(since: number, latestSeq: number): { messages: ChatMessage[]; changes: MessageChange[] } | undefined {
    if (since > latestSeq || since < this.from) return undefined
    return {
      messages: this.messages.slice(firstAbove(this.messages, since)),
      changes: this.changes.slice(firstAbove(this.changes, since)),
    }
  }

  private keepChange(change: MessageChange): void {
    this.changes.push(change)
    this.seqByClientKey.set(clientKey(change.userId, change.clientId), change.seq)
    while (this.changes.length > this.capacity) this.forget(this.changes.shift()!)
  }

  /** An entry leaves memory: entries up to it can no longer be told to a resuming client. */
  private forget(entry: ChatMessage | MessageChange): void {
    this.seqByClientKey.delete(clientKey(entry.userId, entry.clientId))
    this.from = Math.max(this.from, entry.seq)
    while (this.changes.length > 0 && this.changes[0]!.seq <= this.from) {
      const gone = this.changes.shift()!
      this.seqByClientKey.delete(clientKey(gone.userId, gone.clientId))
    }
  }

  private indexOf(seq: number): number {
    return indexOfSeq(this.messages, seq)
  }
}

/** The index of the first entry whose seq is above `seq` (the length when none is). */
function firstAbove(entries: readonly { seq: number }[], seq: number): number {
  let low = 0
  let high = entries.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if (entries[mid]!.seq <= seq) low = mid + 1
    else high = mid
  }
  return low
}
