/**
 * A room's unread count in words and as a badge, for the web lobby and the terminal's room list
 * alike. The backend counts up to `UNREAD_RULE.countCap`: at the cap the count reads "99+".
 */
import { UNREAD_RULE } from '@scalable-chat/backend-contract/rules'

/** `3`, or `99+` at the backend's cap. */
export function unreadBadge(unread: number): string {
  return unread >= UNREAD_RULE.countCap ? `${UNREAD_RULE.countCap - 1}+` : String(unread)
}

/**
 * `3 unread messages, 1 mention`, or null when there is nothing unread.
 *
 * @example unreadText(1, 0) // "1 unread message"
 */
export function unreadText(unread: number, mentions: number): string | null {
  if (unread === 0) return null
  const count = `${unreadBadge(unread)} unread ${unread === 1 ? 'message' : 'messages'}`
  return mentions === 0 ? count : `${count}, ${mentions} ${mentions === 1 ? 'mention' : 'mentions'}`
}

/**
 * The room as the lobby shows it when this browser knows the user read up to `knownSeq` (a tab
 * just marked it, before the backend stored it): read, if that covers its latest message.
 */
export function withKnownRead<R extends { unread: number; mentions: number; lastMessage: { seq: number } | null }>(room: R, knownSeq: number): R {
  if (room.unread === 0 || room.lastMessage === null || knownSeq < room.lastMessage.seq) return room
  return { ...room, unread: 0, mentions: 0 }
}
