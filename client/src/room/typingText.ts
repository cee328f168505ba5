import type { TypingUser } from './connection/chatReducer.js'

/**
 * The line under the message list: "Ana is typing…", "Ana and Bo are typing…",
 * "3 people are typing…", or '' when nobody is (`ChatState.typing` never lists the user).
 */
export function typingText(typing: readonly TypingUser[]): string {
  const names = typing.map((user) => user.username)
  if (names.length === 0) return ''
  if (names.length === 1) return `${names[0]} is typing…`
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`
  return `${names.length} people are typing…`
}
