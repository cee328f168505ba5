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
 * uses to fence a stale session server. All three extend `PlacingScheduler`, which runs that
 * compare-and-set loop and asks the subclass only where the room belongs. `scheduler/index.ts`
 * is the only place that names a concrete class.
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
   * The host the client could not reach (or that closed its socket). The Scheduler checks that
   * host at once instead of trusting its last health check, and does not place the room there
   * while it is down (or draining).
   */
  failedHost?: string | undefined
}

/** Expected failures of `placeRoom`; the HTTP layer maps `room_not_found` to 404, the rest to 503. */
export const PlacementErrorCode = {
  NO_SERVERS: 'no_servers',
  NO_CAPACITY: 'no_capacity',
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
  /** A session server (re)started empty. Implementations that track hosts may learn from it. */
  serverRegistered?(host: string): void
  /** The room was deleted: implementations that hold provider resources per room free them (best effort, never throws). */
  roomDeleted?(roomId: string): Promise<void>
  /** The room was released through this replica. Implementations that cache placements drop it. */
  roomReleased?(roomId: string): void
}
