import type { ChatMessage } from '@scalable-chat/backend-contract'

/** Consecutive messages by one author closer together than this share one header. */
export const GROUP_GAP_MS = 5 * 60_000

export interface MessageGroup<M extends Pick<ChatMessage, 'userId' | 'username' | 'createdAt'>> {
  /** Stable across renders: the author and the first message's time. */
  key: string
  userId: string
  username: string
  /** ISO 8601 time of the first message. */
  startedAt: string
  messages: M[]
}

/**
 * Groups messages (already in order) by author and time, for display: a new group starts when the
 * author changes, when more than `gapMs` passed since the previous message, or where `startsGroup`
 * says (the first unread message, which "New messages" goes before).
 */
export function groupMessages<M extends Pick<ChatMessage, 'userId' | 'username' | 'createdAt'>>(
  messages: readonly M[],
  gapMs = GROUP_GAP_MS,
  startsGroup: (message: M) => boolean = () => false,
): MessageGroup<M>[] {
  const groups: MessageGroup<M>[] = []
  let previousTime = Number.NEGATIVE_INFINITY
  for (const message of messages) {
    const time = Date.parse(message.createdAt)
    const group = groups.at(-1)
    if (group && group.userId === message.userId && time - previousTime <= gapMs && !startsGroup(message)) {
      group.messages.push(message)
    } else {
      groups.push({
        key: `${message.userId}:${message.createdAt}`,
        userId: message.userId,
        username: message.username,
        startedAt: message.createdAt,
        messages: [message],
      })
    }
    previousTime = time
  }
  return groups
}
