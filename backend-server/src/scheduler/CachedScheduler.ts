import { LRUCache } from 'lru-cache'
import { PlacementError, PlacementErrorCode, type Placement, type PlaceRoomOptions, type Scheduler } from './Scheduler.js'

/** Rooms whose placement is remembered at once; the least recently joined are forgotten first. */
export const PLACEMENT_CACHE_MAX_ROOMS = 10_000

export interface CachedSchedulerOptions {
  /** How long a placement is answered from memory (`PLACEMENT_CACHE_TTL_MS`). Short: it bounds how long a stale answer lives. */
  ttlMs: number
  maxRooms?: number
  /** The clock the TTL is measured on (tests inject one). */
  clock?: { now(): number }
}

/**
 * Remembers placements for a short time in front of any Scheduler, so the join path
 * (`GET /api/rooms/:roomId`) does not ask storage "where is room X?" on every request: a reconnect
 * storm asks it thousands of times a second, and the answer almost never changes.
 *
 * Why a stale answer is safe: the room token names the host, and a session server loads a room
 * only if storage places it on that host (`/internal/rooms/:id` answers 409 `room_moved`
 * otherwise), and writes are fenced by the placement epoch in storage, not by this cache. So a
 * client sent to a host that no longer holds the room is refused before it sees anything; it then
 * joins again with `failedHost`, which bypasses the cache when it names the remembered host and
 * asks the real Scheduler (which also re-checks that host's health at once). A stale placement costs one extra round trip, never a
 * lost or misplaced message.
 *
 * What this replica learns directly (a room deleted or released here, a session server that
 * restarted empty) drops the entry at once; other replicas catch up within `ttlMs`.
 */
export class CachedScheduler implements Scheduler {
  private readonly placements: LRUCache<string, Placement>
  /** Placements being asked of the inner Scheduler, by room and failed host (`placingKey`). */
  private readonly placing = new Map<string, Promise<Placement>>()
  /** Per room, a placement in flight because a client reported its host as failed. */
  private readonly moving = new Map<string, Promise<Placement>>()

  constructor(
    private readonly inner: Scheduler,
    options: CachedSchedulerOptions,
  ) {
    // lru-cache reads ttl 0 as "never expires", the opposite of what 0 would mean here.
    if (!(options.ttlMs > 0)) throw new TypeError('CachedScheduler: ttlMs must be positive (createScheduler skips the cache for 0)')
    this.placements = new LRUCache({
      max: options.maxRooms ?? PLACEMENT_CACHE_MAX_ROOMS,
      ttl: options.ttlMs,
      // Expiry is checked on read (no timers), against the injected clock when there is one.
      ttlAutopurge: false,
      // Read the clock on every check, not once a millisecond: an expired placement is never served.
      ttlResolution: 0,
      ...(options.clock ? { perf: options.clock } : {}),
    })
  }

  start(): Promise<void> {
    return this.inner.start()
  }

  stop(): Promise<void> {
    return this.inner.stop()
  }

  async placeRoom(roomId: string, options: PlaceRoomOptions = {}): Promise<Placement> {
    // A client that could not use its last answer must get a fresh one, never the same again.
    // But when what is remembered names another host than the one it failed with, the room has
    // moved since that answer (the first of the failed server's clients to come back moved it)
    // and the Scheduler would answer the same: after a crash every client of the server reports
    // it, thousands of re-joins for a few rooms, and each would cost a health probe and storage
    // statements (the storm benchmark: ≈ 5 ms of backend CPU per re-join on PGlite).
    const cached = this.placements.get(roomId)
    // A room being moved off a failed host: what is remembered may be that host. A join that did
    // not report it (or whose report the per-user limit ignored) waits for the move's answer.
    const moving = options.failedHost === undefined ? this.moving.get(roomId) : undefined
    if (moving && cached) return moving.then(withoutPreviousHost, () => cached)
    if (cached && cached.host !== options.failedHost) return cached
    // Joins that miss the cache at once (the first joins of a new room, every client of a dead
    // server coming back) wait for one answer instead of each running the placement's statements
    // and compare-and-set rounds only to lose them: the Scheduler would answer them the same.
    const key = placingKey(roomId, options.failedHost)
    const running = this.placing.get(key)
    if (running) {
      try {
        // Without `previousHost`: the request that moved the room tells the old host, once.
        return withoutPreviousHost(await running)
      } catch (error) {
        // Another user's limit on rooms placed for nobody, not necessarily this one's: ask for ourselves.
        if (!(error instanceof PlacementError && error.code === PlacementErrorCode.TOO_MANY_PENDING_ROOMS)) throw error
      }
    }
    const placement = this.placeFresh(roomId, options)
    if (!running) {
      this.placing.set(key, placement)
      if (options.failedHost !== undefined) this.moving.set(roomId, placement)
      const settled = () => {
        this.placing.delete(key)
        if (this.moving.get(roomId) === placement) this.moving.delete(roomId)
      }
      void placement.then(settled, settled)
    }
    return placement
  }

  private async placeFresh(roomId: string, options: PlaceRoomOptions): Promise<Placement> {
    const placement = await this.inner.placeRoom(roomId, options)
    // Without `previousHost`: the request that moved the room tells the old host, once; answers
    // from memory must not tell it again.
    this.placements.set(roomId, { host: placement.host, epoch: placement.epoch })
    return placement
  }

  /** Always from the inner Scheduler: it is asked before a room is deleted, which must see the truth. */
  placementOf(roomId: string): Promise<Placement | undefined> {
    return this.inner.placementOf(roomId)
  }

  roomLoaded(roomId: string, host: string): Promise<Placement | undefined> {
    return this.inner.roomLoaded(roomId, host)
  }

  async roomReleased(roomId: string, host: string, epoch: number): Promise<void> {
    await this.inner.roomReleased(roomId, host, epoch)
    this.placements.delete(roomId)
  }

  async serverRegistered(host: string): Promise<void> {
    await this.inner.serverRegistered(host)
    this.forgetHost(host)
  }

  async serverLeft(host: string): Promise<void> {
    await this.inner.serverLeft(host)
    this.forgetHost(host)
  }

  async roomDeleted(roomId: string): Promise<void> {
    this.placements.delete(roomId)
    await this.inner.roomDeleted(roomId)
  }

  /** Every room it held is unplaced now. */
  private forgetHost(host: string): void {
    for (const [roomId, placement] of [...this.placements.entries()]) {
      if (placement.host === host) this.placements.delete(roomId)
    }
  }
}

function withoutPreviousHost({ host, epoch }: Placement): Placement {
  return { host, epoch }
}

function placingKey(roomId: string, failedHost: string | undefined): string {
  return `${roomId}\u0000${failedHost ?? ''}`
}
