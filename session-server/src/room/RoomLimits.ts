/** A Room's limits (configuration, announced in part to clients) and what it reports for `/metrics`. */
import type { RoomLimits as AnnouncedLimits } from '@scalable-chat/protocol'
import type { RateLimits } from '../connection/SendRateLimiter.js'
import type { RoomLogMetrics } from './RoomLog.js'

export interface RoomLimits {
  maxUsers: number
  maxMessageLength: number
  maxBufferedBytes: number
  typingTimeoutMs: number
  /**
   * A member's typing and status changes reach the others at most once per this interval,
   * carrying the latest state: a storm of toggles becomes at most two broadcasts per interval,
   * and a toggle undone within it none at all.
   */
  presenceIntervalMs: number
  /** Board pointers go out batched, once per this interval. */
  cursorIntervalMs: number
  /** A pointer that has not moved for this long goes. */
  cursorIdleMs: number
  /** A changed board is saved at most this long after its first unsaved change. */
  boardSaveDelayMs: number
  /** The largest frame the server reads (`MAX_PAYLOAD_BYTES`), announced so clients size their edits. */
  maxFrameBytes: number
}

/** What a room reports for `/metrics` (a subset of `SessionMetrics`; optional so tests may omit it). */
export interface RoomMetrics extends RoomLogMetrics {
  messagesBroadcast: { inc(value?: number): void }
  broadcastDuration: { startTimer(): () => unknown }
}

/** What the snapshot announces: the limits a client paces and sizes itself by. */
export function announcedLimits(limits: RoomLimits, rate: RateLimits): AnnouncedLimits {
  const { maxMessageLength, typingTimeoutMs, cursorIntervalMs, maxFrameBytes } = limits
  return { maxMessageLength, typingTimeoutMs, cursorIntervalMs, maxFrameBytes, ...rate }
}

/**
 * A pointer batch is skipped for a connection with more than this waiting to be written: the
 * next batch carries newer positions anyway, so it is dropped rather than queued.
 */
export const CURSOR_SKIP_BUFFERED_BYTES = 64 * 1024
