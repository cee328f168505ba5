/**
 * The public API's input rules as plain values, without zod: `api.ts` builds its schemas from
 * them, and the web client imports them to check a form before sending it (its first-load bundle
 * does not ship zod). The backend stays the judge; these only spare the user a round trip.
 */

export const USERNAME_RULE = {
  minLength: 3,
  maxLength: 32,
  pattern: /^[A-Za-z0-9_-]+$/,
  /** What `pattern` means, in words that complete "Username …". */
  patternText: 'may contain only letters, digits, _ and -',
} as const

export const PASSWORD_RULE = { minLength: 8, maxLength: 256 } as const

/** Room names, after control characters are removed and the ends trimmed. */
export const ROOM_NAME_RULE = { minLength: 1, maxLength: 64 } as const

/** `GET /api/rooms/:roomId/messages`: the page size without `limit`, and the largest `limit`. */
export const HISTORY_PAGE_RULE = { defaultLimit: 50, maxLimit: 100 } as const
