/**
 * The constants of the wire protocol: version, handshake parameters, close codes with what a
 * client does after each, error codes, member statuses.
 *
 * Kept free of zod on purpose: the web client imports this file for its values, and anything it
 * imports lands in the first-load bundle. Schemas and message types live in `messages.ts`; the
 * prose spec is session-server/PROTOCOL.md.
 */

import { CHANGE_REFUSAL } from '@scalable-chat/backend-contract/rules'

/**
 * Bumped on any change a peer on the previous version would misread. The client sends it as `v`
 * in the connect URL; the server answers a mismatch by closing with `PROTOCOL_MISMATCH`.
 */
export const PROTOCOL_VERSION = 1

/** The query parameters of the WebSocket handshake: `?token=…&v=…[&since=…]` (see `handshakeUrl`). */
export const HandshakeParam = {
  /** The room token from `GET /api/rooms/:roomId`. */
  TOKEN: 'token',
  /** `PROTOCOL_VERSION`. */
  VERSION: 'v',
  /** The latest seq the client holds: the snapshot then carries exactly what came after it. */
  SINCE: 'since',
} as const

/**
 * Every close code a client can see: the session server's own (4000–4999), the standard ones it
 * or `ws` sends, and 1006, which no one sends (a client's WebSocket reports it when the connection
 * ended without a close frame: a crash, a cut network).
 */
export const CloseCode = {
  /** Standard: an orderly close (a client leaving). */
  NORMAL: 1000,
  /** Standard, never sent: the connection ended without a close frame (the server crashed or the network broke). */
  ABNORMAL: 1006,
  /** Standard (from ws): a text frame that is not UTF-8. */
  INVALID_PAYLOAD: 1007,
  /** Standard: the connection broke a limit on purpose (flooding, repeated bad frames). */
  POLICY_VIOLATION: 1008,
  /** Standard (from ws): a frame over `MAX_PAYLOAD_BYTES`. */
  MESSAGE_TOO_BIG: 1009,
  /** Standard: the server is restarting or draining. */
  SERVICE_RESTART: 1012,
  /** The client speaks another protocol version; it must reload. */
  PROTOCOL_MISMATCH: 4000,
  /** The room no longer exists. */
  ROOM_DELETED: 4004,
  /** The room is now placed on another server; ask the backend again and reconnect. */
  ROOM_MOVED: 4009,
  /** This user left the room (here or on another device); the room's link still lets them join again. */
  LEFT_ROOM: 4010,
  /** The room has as many members as it may hold. */
  ROOM_FULL: 4013,
  /**
   * This user has as many connections as a user may have, to this room or to this server (tabs
   * or windows left open, or a script opening sockets); closing some and reloading helps.
   */
  TOO_MANY_CONNECTIONS: 4029,
  /** The client did not read fast enough and its send buffer overflowed; resume with `since`. */
  TOO_SLOW: 4429,
  /** The server could not load the room (backend unreachable). */
  ROOM_UNAVAILABLE: 4503,
  /** The server holds as many connections as it may; capacity frees as others leave. */
  SERVER_FULL: 4513,
} as const
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode]

/**
 * What a client does after a close: reconnect `now` (the room is, or is about to be, served
 * elsewhere: go at once, through a fresh join), after a `backoff`, or `never` (final: show why).
 */
export type Reconnect = 'now' | 'backoff' | 'never'

export interface CloseCodeInfo {
  /** Sent in the close frame. */
  reason: string
  reconnect: Reconnect
  /**
   * The server itself went away (draining, or gone without a close frame): the next join names it
   * as `failedHost`, so the backend checks it at once instead of trusting an older health check.
   */
  serverGone: boolean
}

/** The one table of close codes, read by the server (reasons) and by clients (what to do next). */
export const CLOSE_CODES = {
  [CloseCode.NORMAL]: { reason: 'closed', reconnect: 'backoff', serverGone: false },
  [CloseCode.ABNORMAL]: { reason: 'connection lost', reconnect: 'now', serverGone: true },
  [CloseCode.INVALID_PAYLOAD]: { reason: 'invalid UTF-8', reconnect: 'backoff', serverGone: false },
  [CloseCode.POLICY_VIOLATION]: { reason: 'policy violation', reconnect: 'never', serverGone: false },
  [CloseCode.MESSAGE_TOO_BIG]: { reason: 'frame too large', reconnect: 'backoff', serverGone: false },
  [CloseCode.SERVICE_RESTART]: { reason: 'server restarting', reconnect: 'now', serverGone: true },
  [CloseCode.PROTOCOL_MISMATCH]: { reason: 'protocol version mismatch', reconnect: 'never', serverGone: false },
  [CloseCode.ROOM_DELETED]: { reason: 'room deleted', reconnect: 'never', serverGone: false },
  [CloseCode.ROOM_MOVED]: { reason: 'room moved', reconnect: 'now', serverGone: false },
  [CloseCode.LEFT_ROOM]: { reason: 'left the room', reconnect: 'never', serverGone: false },
  [CloseCode.ROOM_FULL]: { reason: 'room full', reconnect: 'never', serverGone: false },
  [CloseCode.TOO_MANY_CONNECTIONS]: { reason: 'too many connections', reconnect: 'never', serverGone: false },
  [CloseCode.TOO_SLOW]: { reason: 'client too slow', reconnect: 'backoff', serverGone: false },
  [CloseCode.ROOM_UNAVAILABLE]: { reason: 'room unavailable', reconnect: 'backoff', serverGone: false },
  [CloseCode.SERVER_FULL]: { reason: 'server full', reconnect: 'backoff', serverGone: false },
} as const satisfies Record<CloseCode, CloseCodeInfo>

/**
 * The table's entry for `code`; a code it does not know (a newer server's) is retried with backoff.
 *
 * @example closeCodeInfo(4009) // { reason: 'room moved', reconnect: 'now', serverGone: false }
 */
export function closeCodeInfo(code: number): CloseCodeInfo {
  return (CLOSE_CODES as Partial<Record<number, CloseCodeInfo>>)[code] ?? { reason: 'unknown', reconnect: 'backoff', serverGone: false }
}

/** The close codes after which a client gives up: the final states it must explain to its user. */
export type FinalCloseCode = {
  [C in CloseCode]: (typeof CLOSE_CODES)[C]['reconnect'] extends 'never' ? C : never
}[CloseCode]

/** Codes carried by `{ type: "error" }` frames. A frame that causes one changes nothing. */
export const ErrorCode = {
  INVALID_JSON: 'invalid_json',
  BINARY_NOT_SUPPORTED: 'binary_not_supported',
  UNKNOWN_TYPE: 'unknown_type',
  INVALID_MESSAGE: 'invalid_message',
  EMPTY_MESSAGE: 'empty_message',
  MESSAGE_TOO_LONG: 'message_too_long',
  RATE_LIMITED: 'rate_limited',
  ROOM_FULL: 'room_full',
  UNAVAILABLE: 'unavailable',
  /** A board edit names a shape that is not on the board (deleted meanwhile, or never there). */
  SHAPE_NOT_FOUND: 'shape_not_found',
  /** A create names an id another member's shape already has. */
  SHAPE_EXISTS: 'shape_exists',
  /** Every field the update changes was changed by someone since the version it was made on. */
  STALE_UPDATE: 'stale_update',
  /** The board holds as many shapes, or as many bytes, as a board may. */
  BOARD_FULL: 'board_full',
  /**
   * Refusals of an edit, deletion or reaction, decided by storage (see `CHANGE_REFUSAL`): no such
   * message, not its author, deleted, too many different emoji.
   */
  ...CHANGE_REFUSAL,
} as const
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

/** Presence states; `MemberStatus` (schema and type) is derived from this in `messages.ts`. */
export const MEMBER_STATUSES = ['online', 'away', 'dnd'] as const

/** The limits every session server applies by default; each announces its own in the snapshot. */
export const DEFAULT_LIMITS = {
  maxMessageLength: 1000,
  messagesPerMinute: 30,
  messageBurst: 5,
  burstWindowMs: 2000,
  typingTimeoutMs: 6000,
  cursorIntervalMs: 50,
  maxFrameBytes: 16_384,
} as const
