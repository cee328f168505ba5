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

/** A room's description (optional; shown in the public directory), after trimming. */
export const ROOM_DESCRIPTION_RULE = { maxLength: 280 } as const

/**
 * Who finds a room: `unlisted` (the default) only through its link, which is the key; `public`
 * also in the directory, `GET /api/rooms/public`.
 */
export const ROOM_VISIBILITIES = ['unlisted', 'public'] as const

/** `GET /api/rooms/public`: the page size without `limit`, the largest `limit`, and the longest search. */
export const DIRECTORY_PAGE_RULE = { defaultLimit: 20, maxLimit: 50, maxQueryLength: 64 } as const

/**
 * The lobby's unread counts (`GET /api/rooms`): counted up to `countCap` unread messages a room, so a
 * huge backlog costs no more than that (a client shows `countCap` as "99+"); the latest message's
 * text is cut to `previewLength` characters.
 */
export const UNREAD_RULE = { countCap: 100, previewLength: 140 } as const

/** `GET /api/rooms/:roomId/messages`: the page size without `limit`, and the largest `limit`. */
export const HISTORY_PAGE_RULE = { defaultLimit: 50, maxLimit: 100 } as const

/**
 * A room's whiteboard: what one shape and one board may hold. The session server refuses an edit
 * past any of them (nothing changes); storage checks the same on every save.
 */
export const BOARD_RULE = {
  maxShapes: 2000,
  /** Points of one freehand path (lines and arrows have two); a client simplifies a long stroke to fit one frame. */
  maxPathPoints: 1000,
  maxTextLength: 2000,
  /** |x|, |y| and every width, height and point coordinate. */
  maxCoordinate: 1_000_000,
  minStrokeWidth: 1,
  maxStrokeWidth: 64,
  /** The board's shapes as JSON, in UTF-8 bytes: what a room holds in memory and storage writes on each save. */
  maxBoardBytes: 1024 * 1024,
  /** Ids of deleted shapes remembered, so that a create re-sent after its shape was deleted stays deleted. */
  maxDeletedIds: 5000,
} as const

/**
 * Reactions: one emoji each (a single RGI emoji, skin tones and ZWJ sequences included), and at
 * most `maxPerMessage` different ones on a message, so a message's reactions stay a short row.
 */
export const REACTION_RULE = {
  maxPerMessage: 20,
  maxEmojiLength: 32,
  /** Exactly one RGI emoji (the `v` flag knows emoji sequences; Node 20 and current browsers have it). */
  emoji: new RegExp('^\\p{RGI_Emoji}$', 'v'),
} as const

/**
 * Why storage refused an edit, deletion or reaction (nothing was stored): the session server
 * passes the code on to the client as it is.
 */
export const CHANGE_REFUSAL = {
  /** The target is not a message of this room (no such seq, or it names an edit or reaction). */
  MESSAGE_NOT_FOUND: 'message_not_found',
  /** Only a message's author may edit or delete it. */
  NOT_AUTHOR: 'not_author',
  /** A deleted message is not edited, deleted again or reacted to. */
  MESSAGE_DELETED: 'message_deleted',
  /** The message has `REACTION_RULE.maxPerMessage` different emoji already. */
  TOO_MANY_REACTIONS: 'too_many_reactions',
} as const
export type ChangeRefusalCode = (typeof CHANGE_REFUSAL)[keyof typeof CHANGE_REFUSAL]
