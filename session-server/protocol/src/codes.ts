/**
 * The constants of the wire protocol: version, close codes, error codes, member statuses.
 *
 * Kept free of zod on purpose: the web client imports this file for its values, and anything it
 * imports lands in the first-load bundle. Schemas and message types live in `messages.ts`.
 */

/**
 * Bumped on any change a peer on the previous version would misread. The client sends it as `v`
 * in the connect URL; the server answers a mismatch by closing with `PROTOCOL_MISMATCH`.
 */
export const PROTOCOL_VERSION = 1

/**
 * Close codes the session server uses, each with the reason string sent in the close frame.
 * Clients decide from the code alone whether to reconnect (see `shouldReconnect`).
 */
export const CloseCode = {
  /** Standard: the server is restarting or draining; reconnect at once (it may route elsewhere). */
  SERVICE_RESTART: 1012,
  /** Standard: the connection broke a limit on purpose (flooding, repeated bad frames). */
  POLICY_VIOLATION: 1008,
  /** The client speaks another protocol version; it must reload. */
  PROTOCOL_MISMATCH: 4000,
  /** The room no longer exists. */
  ROOM_DELETED: 4004,
  /** The room is now placed on another server; ask the backend again and reconnect. */
  ROOM_MOVED: 4009,
  /** The room has as many members as it may hold. */
  ROOM_FULL: 4013,
  /** The server could not load the room (backend unreachable); retry with backoff. */
  ROOM_UNAVAILABLE: 4503,
  /** The client did not read fast enough and its send buffer overflowed; resume with `since`. */
  TOO_SLOW: 4429,
} as const
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode]

export const CloseReason: Record<CloseCode, string> = {
  [CloseCode.SERVICE_RESTART]: 'server restarting',
  [CloseCode.POLICY_VIOLATION]: 'policy violation',
  [CloseCode.PROTOCOL_MISMATCH]: 'protocol version mismatch',
  [CloseCode.ROOM_DELETED]: 'room deleted',
  [CloseCode.ROOM_MOVED]: 'room moved',
  [CloseCode.ROOM_FULL]: 'room full',
  [CloseCode.ROOM_UNAVAILABLE]: 'room unavailable',
  [CloseCode.TOO_SLOW]: 'client too slow',
}

/** Whether a client that saw this close code should reconnect by itself. */
export function shouldReconnect(code: number): boolean {
  return (
    code !== CloseCode.PROTOCOL_MISMATCH &&
    code !== CloseCode.ROOM_DELETED &&
    code !== CloseCode.ROOM_FULL &&
    code !== CloseCode.POLICY_VIOLATION
  )
}

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
} as const
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

/** Presence states; `MemberStatus` (schema and type) is derived from this in `messages.ts`. */
export const MEMBER_STATUSES = ['online', 'away', 'dnd'] as const

/** Default limits; each server reads its own from configuration and announces them in the snapshot. */
export const DEFAULT_MAX_MESSAGE_LENGTH = 1000
/** How many recent messages a snapshot carries at most. */
export const SNAPSHOT_MESSAGES = 100
