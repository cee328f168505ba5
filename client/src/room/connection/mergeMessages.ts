import type { ChatMessage } from '@scalable-chat/backend-contract'

/**
 * Merges two lists of messages into one in `seq` order with each `seq` once (a copy already
 * held wins). Both inputs may be in any order; the common cases (appending newer messages, prepending
 * older history) take a fast path and keep the existing array's objects.
 */
export function mergeMessages(existing: readonly ChatMessage[], incoming: readonly ChatMessage[]): ChatMessage[] {
  if (incoming.length === 0) return existing.slice()
  const sortedIncoming = isSorted(incoming) ? incoming : [...incoming].sort(bySeq)
  const first = existing[0]
  const last = existing.at(-1)
  const inFirst = sortedIncoming[0]!
  const inLast = sortedIncoming.at(-1)!
  if (isSorted(existing) && uniqueSorted(sortedIncoming)) {
    if (!last || inFirst.seq > last.seq) return [...existing, ...sortedIncoming]
    if (first && inLast.seq < first.seq) return [...sortedIncoming, ...existing]
  }
  const bySeqMap = new Map<number, ChatMessage>()
  for (const message of incoming) if (!bySeqMap.has(message.seq)) bySeqMap.set(message.seq, message)
  for (const message of existing) bySeqMap.set(message.seq, message)
  return [...bySeqMap.values()].sort(bySeq)
}

function bySeq(a: ChatMessage, b: ChatMessage): number {
  return a.seq - b.seq
}

function isSorted(messages: readonly ChatMessage[]): boolean {
  for (let i = 1; i < messages.length; i++) if (messages[i - 1]!.seq > messages[i]!.seq) return false
  return true
}

function uniqueSorted(messages: readonly ChatMessage[]): boolean {
  for (let i = 1; i < messages.length; i++) if (messages[i - 1]!.seq === messages[i]!.seq) return false
  return true
}
