/**
 * Where a ChatConnection is, as a discriminated union: each state carries only what it can have.
 *
 *   connecting ──snapshot──▶ live ──close (reconnectable)──▶ reconnecting ──timer/retryNow──▶ connecting…
 *        │                    │                                   │  ▲
 *        │                    └──room_deleted / 4000 / 4004…──▶ closed (final)
 *        └──404 / 403 / protocol mismatch──────────────────────▶ closed
 *   reconnecting ◀──online── offline ◀──navigator.onLine false── (any non-final state)
 */
export type ConnectionStatus =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'live' }
  | { kind: 'reconnecting'; attempt: number; /** ms since the epoch */ retryAt: number }
  | { kind: 'offline' }
  | { kind: 'closed'; reason: ClosedReason }

export const ClosedReason = {
  DELETED: 'deleted',
  LEFT: 'left',
  NOT_FOUND: 'not_found',
  FORBIDDEN: 'forbidden',
  PROTOCOL_MISMATCH: 'protocol_mismatch',
  ROOM_FULL: 'room_full',
  TOO_MANY_CONNECTIONS: 'too_many_connections',
  POLICY_VIOLATION: 'policy_violation',
  SIGNED_OUT: 'signed_out',
} as const
export type ClosedReason = (typeof ClosedReason)[keyof typeof ClosedReason]
