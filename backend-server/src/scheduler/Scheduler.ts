/**
 * The Scheduler decides which session server holds which room.
 *
 * It is an interface because where rooms can live differs by deployment, while everything that
 * asks "where is room X?" (the join route) and everything that fences writes (the internal API)
 * stays the same:
 * - `LocalScheduler`: a static list of session servers (`SESSION_SERVER_HOST`), health-checked,
 *   capacity-aware. The default, and what the tests run.
 * - `FleetScheduler`: session servers register themselves and report load (`fleet_servers`);
 *   most-headroom placement, never on a draining server; rooms of a server that missed its
 *   heartbeats or deregistered move.
 * - `HathoraScheduler`: one Hathora Cloud room per chat room, created through Hathora's rooms API
 *   with our own roomId (`SCHEDULER=hathora`). Hathora's hosting ended on 2026-05-05; it is kept
 *   for projects built on the reference, and tested against a local fake of the API.
 *
 * Draining, one rule for all: a draining session server keeps the rooms placed on it (its drain
 * stores their last messages and releases them, which frees them to move) and gets no new room,
 * even when a client reports it as failed. Moving a room off it early would fence the drain's
 * last batch.
 *
 * Whatever the implementation, the room → host table lives in storage (`placements`), so backend
 * replicas agree, and every (re)placement increments the room's epoch, which the internal API
 * uses to fence a stale session server. The Scheduler is that table's one owner: the routes read
 * and change placements only through the methods below (a session server loading or releasing a
 * room, registering or leaving), never through the store. All three extend `PlacingScheduler`,
 * which runs the compare-and-set loop and those lifecycle writes, and asks the subclass only where
 * the room belongs. `scheduler/index.ts` is the only place that names a concrete class.
 */
export interface Placement {
  /** The session server's public address (`SessionServerAddress`: `host:port` or a `ws(s)://` URL). */
  host: string
  epoch: number
  /** Set when this call moved the room: the host that held it, to be told it no longer does. */
  previousHost?: string
}

export interface PlaceRoomOptions {
  /**
   * The user asking: a room that is not placed anywhere is placed only if this user has fewer
   * than `maxPendingPlacementsPerUser` placements that no session server has loaded yet (joins
   * nobody connected to hold capacity that others need), and the new placement is theirs.
   */
  userId?: string | undefined
  /**
   * The host the client could not reach (or that closed its socket). The Scheduler checks that
   * host at once instead of trusting its last health check, and does not place the room there
   * while it is down (or draining).
   */
  failedHost?: string | undefined
}

/**
 * Expected failures of `placeRoom`; the HTTP layer maps `room_not_found` to 404,
 * `too_many_pending_rooms` to 429, the rest to 503.
 */
export const PlacementErrorCode = {
  NO_SERVERS: 'no_servers',
  NO_CAPACITY: 'no_capacity',
  /** The user has `maxPendingPlacementsPerUser` placements no session server has loaded yet. */
  TOO_MANY_PENDING_ROOMS: 'too_many_pending_rooms',
  ROOM_NOT_FOUND: 'room_not_found',
  /** The hosting provider did not start the room's server in time. */
  ROOM_START_TIMEOUT: 'room_start_timeout',
  /** The hosting provider's API kept failing or refused the request. */
  SCHEDULER_UNAVAILABLE: 'scheduler_unavailable',
} as const
export type PlacementErrorCode = (typeof PlacementErrorCode)[keyof typeof PlacementErrorCode]

export class PlacementError extends Error {
  override name = 'PlacementError'
  constructor(
    readonly code: PlacementErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

export interface Scheduler {
  /** Starts background work (health checks); resolves after the first round. */
  start(): Promise<void>
  /** Stops background work; in-flight placements still finish. */
  stop(): Promise<void>
  /**
   * Returns where the room lives, placing it first if it is not placed or its host is down.
   * Concurrent calls for one room (from any replica) agree on one placement.
   * @throws PlacementError when no server is available (none healthy, all full, the provider failing or slow) or the room is gone
   */
  placeRoom(roomId: string, options?: PlaceRoomOptions): Promise<Placement>
  /** Where the room is placed now, without placing it; `undefined` when it is not placed (or does not exist). */
  placementOf(roomId: string): Promise<Placement | undefined>
  /**
   * `host` is loading the room: its placement there, now counted as loaded (it holds its slot for
   * as long as the server keeps it), or `undefined` when the room is not placed on `host` (fenced).
   */
  roomLoaded(roomId: string, host: string): Promise<Placement | undefined>
  /** `host` emptied and unloaded the room it held under `epoch`: the slot is free. A stale release changes nothing. */
  roomReleased(roomId: string, host: string, epoch: number): Promise<void>
  /** A session server (re)started with nothing in memory: every room placed on it is unplaced. */
  serverRegistered(host: string): Promise<void>
  /** A session server drained and left: whatever is still placed on it (a flush that timed out) is unplaced. */
  serverLeft(host: string): Promise<void>
  /**
   * The room was deleted (its placement went with it): implementations that hold provider
   * resources per room free them. Best effort, never throws.
   */
  roomDeleted(roomId: string): Promise<void>
}
