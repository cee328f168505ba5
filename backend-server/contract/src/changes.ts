/**
 * How a change in a room's log applies to the message it targets: the one definition the session
 * server (its memory of the room), the web and the terminal client (their view) share, and that
 * storage's `commit_entries` (migration 009) mirrors in SQL. Zod-free on purpose, like `./rules`:
 * the web client imports it.
 */
import type { ChatMessage, MessageChange, Reaction } from './api.js'

/**
 * The message after `change`; the same object when the change does not apply (another target,
 * already deleted) or changes nothing (a reaction already on, or already off). Applying a change
 * twice gives what applying it once gave, so a client may be handed one again (a resume, a
 * re-sent acknowledgement) without harm.
 *
 * @example applyChange(message, { kind: 'edit', target: message.seq, text: 'fixed', … }).editedAt
 */
export function applyChange(message: ChatMessage, change: MessageChange): ChatMessage {
  if (change.target !== message.seq || message.deleted) return message
  switch (change.kind) {
    case 'edit':
      return message.text === change.text && message.editedAt === change.createdAt
        ? message
        : { ...message, text: change.text, editedAt: change.createdAt }
    case 'delete': {
      // Its text and reactions go with it: a deleted message is only its place in the log.
      const { reactions: _reactions, editedAt: _editedAt, ...kept } = message
      return { ...kept, text: '', deleted: true }
    }
    case 'react': {
      const current = message.reactions ?? NONE
      const reactions = toggled(current, change.emoji, change.userId, change.on)
      if (reactions === current) return message
      const { reactions: _old, ...rest } = message
      return reactions.length === 0 ? rest : { ...rest, reactions: [...reactions] }
    }
    default:
      return change satisfies never
  }
}

const NONE: readonly Reaction[] = []

/** `reactions` with `userId`'s `emoji` on or off; the same array when that changes nothing. */
function toggled(reactions: readonly Reaction[], emoji: string, userId: string, on: boolean): readonly Reaction[] {
  const index = reactions.findIndex((r) => r.emoji === emoji)
  const current = reactions[index]
  if (on) {
    if (current?.userIds.includes(userId)) return reactions
    if (!current) return [...reactions, { emoji, userIds: [userId] }]
    return reactions.map((r, i) => (i === index ? { emoji, userIds: [...r.userIds, userId] } : r))
  }
  if (!current?.userIds.includes(userId)) return reactions
  const userIds = current.userIds.filter((id) => id !== userId)
  return userIds.length === 0 ? reactions.filter((_, i) => i !== index) : reactions.map((r, i) => (i === index ? { emoji, userIds } : r))
}

/**
 * The index of the entry with `seq` in a list sorted by seq (messages, or changes), or -1: how a
 * change finds the message it targets in a view or in a room's memory.
 */
export function indexOfSeq(entries: readonly { seq: number }[], seq: number): number {
  let low = 0
  let high = entries.length - 1
  while (low <= high) {
    const mid = (low + high) >>> 1
    const at = entries[mid]!.seq
    if (at === seq) return mid
    if (at < seq) low = mid + 1
    else high = mid - 1
  }
  return -1
}
