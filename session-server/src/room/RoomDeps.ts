/**
 * What a Room is given: its limits, what it reports, who owns it (the registry) and the rest of
 * its dependencies. Apart from Room.ts so the room itself reads as what it does.
 */
import type { LoadRoomResponse } from '@scalable-chat/backend-contract/internal'
import type { BackendApi } from '../backendApi/BackendApi.js'
import type { SendRateLimiter } from '../connection/SendRateLimiter.js'
import type { Logger } from '../logger.js'
import type { Room } from './Room.js'
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

/** The registry's side of a room: told when it empties, and when it closed itself. */
export interface RoomOwner {
  /** The last connection left (the registry starts the unload grace period). */
  roomEmptied(room: Room): void
  /** The room closed itself (fenced or deleted) and must be forgotten without a release. */
  roomClosed(room: Room): void
}

export interface RoomDeps {
  loaded: LoadRoomResponse
  /** This server's public host: the fencing identity of every write. */
  host: string
  backendApi: BackendApi
  rateLimiter: SendRateLimiter
  limits: RoomLimits
  owner: RoomOwner
  logger: Logger
  metrics?: RoomMetrics
}
