import type { Logger } from 'pino'
import type { Database } from '../storage/Database.js'
import { PlacementStore } from '../storage/PlacementStore.js'
import { HealthChecker } from './HealthChecker.js'
import { PlacementError, PlacementErrorCode, type Placement, type PlaceRoomOptions, type Scheduler } from './Scheduler.js'

export interface LocalSchedulerOptions {
  db: Database
  logger: Logger
  hosts: readonly string[]
  maxRoomsPerServer: number
  healthCheckIntervalMs: number
  healthCheckTimeoutMs: number
}

/** A placement nobody loaded stops holding a slot after this long (the client never connected). */
export const PENDING_PLACEMENT_GRACE_MS = 2 * 60_000
/** Checking the host a client just failed to reach happens on the join path, so keep it short. */
const FAILED_HOST_CHECK_TIMEOUT_MS = 500
/** Compare-and-set rounds before giving up; each lost round means another replica placed the room. */
const MAX_PLACEMENT_ATTEMPTS = 5

/**
 * Places rooms on a static list of session servers: keeps a room where it is while that host is
 * healthy, otherwise moves it to the healthy host with the fewest active rooms below
 * `maxRoomsPerServer`.
 *
 * Replicas coordinate through the `placements` table only: the row is created with
 * `ON CONFLICT DO NOTHING` and moved with a compare-and-set on its epoch, so when two replicas
 * (or two requests) place one room at once, one wins and the other re-reads and uses the winner's
 * placement. The capacity check is not atomic across replicas; at worst a host gets one room per
 * racing replica above its limit, which is a soft limit anyway.
 */
export class LocalScheduler implements Scheduler {
  private readonly health: HealthChecker
  private readonly placements: PlacementStore

  constructor(private readonly options: LocalSchedulerOptions) {
    if (options.hosts.length === 0) throw new TypeError('LocalScheduler needs at least one session server host')
    this.health = new HealthChecker({
      hosts: options.hosts,
      intervalMs: options.healthCheckIntervalMs,
      timeoutMs: options.healthCheckTimeoutMs,
      logger: options.logger,
    })
    this.placements = new PlacementStore(options.db)
  }

  start(): Promise<void> {
    return this.health.start()
  }

  async stop(): Promise<void> {
    this.health.stop()
  }

  serverRegistered(host: string): void {
    this.health.markHealthy(host)
  }

  async placeRoom(roomId: string, options: PlaceRoomOptions = {}): Promise<Placement> {
    // Checked before anything else, whether or not the room is placed there now: a drained server
    // may have released the room already and must not be chosen again before the next round.
    const { failedHost } = options
    if (failedHost !== undefined && this.options.hosts.includes(failedHost)) {
      await this.health.check(failedHost, FAILED_HOST_CHECK_TIMEOUT_MS)
    }
    await this.placements.ensure(roomId)
    for (let attempt = 0; attempt < MAX_PLACEMENT_ATTEMPTS; attempt++) {
      const current = await this.placements.get(roomId)
      // The room was deleted while we were placing it.
      if (!current) throw new PlacementError(PlacementErrorCode.ROOM_NOT_FOUND, 'room not found')

      if (current.host !== null && this.isUsable(current.host)) {
        return { host: current.host, epoch: current.epoch }
      }
      const host = await this.chooseHost()
      const placed = await this.placements.place(roomId, current.epoch, host)
      if (placed) {
        this.options.logger.info({ roomId, host, epoch: placed.epoch, from: current.host }, 'placed room')
        return { host, epoch: placed.epoch, ...(current.host !== null ? { previousHost: current.host } : {}) }
      }
    }
    throw new Error(`could not place room ${roomId}: the placement kept changing`)
  }

  private isUsable(host: string): boolean {
    // A host removed from the configuration is as good as down.
    return this.options.hosts.includes(host) && this.health.isHealthy(host)
  }

  private async chooseHost(): Promise<string> {
    let healthy = this.health.healthyHosts()
    if (healthy.length === 0) {
      // Every server was down at the last check; one may be back (or just started), so look
      // again before turning the user away.
      await this.health.checkAll()
      healthy = this.health.healthyHosts()
      if (healthy.length === 0) throw new PlacementError(PlacementErrorCode.NO_SERVERS, 'no session server is available')
    }
    const counts = await this.placements.activeCounts(PENDING_PLACEMENT_GRACE_MS)
    let best: { host: string; count: number } | undefined
    for (const host of healthy) {
      const count = counts.get(host) ?? 0
      if (count < this.options.maxRoomsPerServer && (!best || count < best.count)) best = { host, count }
    }
    if (!best) throw new PlacementError(PlacementErrorCode.NO_CAPACITY, 'every session server is full')
    return best.host
  }
}
