export interface TypingUser {
  userId: string
  username: string
}

/**
 * The line under the message list: "Ana is typing…", "Ana and Bo are typing…",
 * "3 people are typing…", or '' when nobody else is. The user's own typing is not shown.
 */
export function typingText(typing: readonly TypingUser[], ownUserId: string | null): string {
  const names = typing.filter((user) => user.userId !== ownUserId).map((user) => user.username)
  if (names.length === 0) return ''
  if (names.length === 1) return `${names[0]} is typing…`
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`
  return `${names.length} people are typing…`
}
