/**
 * `@username` in message text: which parts are mentions, and whether one names this user. A
 * mention is `@` at the start or after a character that cannot be in a username, followed by a
 * username (USERNAME_RULE's characters), compared without case as usernames are unique.
 */
export type MentionPart = { type: 'text'; text: string } | { type: 'mention'; text: string; you: boolean }

// Usernames are 3–32 of A-Za-z0-9_- (USERNAME_RULE); the lookbehind keeps "a@b.c" (an address) out.
const MENTION = /(?<![\w@-])@([A-Za-z0-9_-]{3,32})(?![A-Za-z0-9_-])/g

/** @example splitMentions('hi @Ana!', 'ana') // text "hi ", mention "@Ana" (you), text "!" */
export function splitMentions(text: string, ownUsername: string | undefined): MentionPart[] {
  const parts: MentionPart[] = []
  let cursor = 0
  const own = ownUsername?.toLowerCase()
  for (const match of text.matchAll(MENTION)) {
    if (match.index > cursor) parts.push({ type: 'text', text: text.slice(cursor, match.index) })
    parts.push({ type: 'mention', text: match[0], you: match[1]!.toLowerCase() === own })
    cursor = match.index + match[0].length
  }
  if (cursor < text.length) parts.push({ type: 'text', text: text.slice(cursor) })
  return parts
}

/** Whether `text` mentions `username`. */
export function mentions(text: string, username: string | undefined): boolean {
  return username !== undefined && splitMentions(text, username).some((part) => part.type === 'mention' && part.you)
}
