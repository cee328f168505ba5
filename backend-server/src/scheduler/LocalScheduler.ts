import type { Logger } from 'pino'
import type { PlacementRow, PlacementStore } from '../storage/PlacementStore.js'
import { HealthChecker } from './HealthChecker.js'
import { FAILED_HOST_CHECK_TIMEOUT_MS, noCapacity, PlacingScheduler, type PendingPlacementPolicy } from './PlacingScheduler.js'
import { PlacementError, PlacementErrorCode, type Placement, type PlaceRoomOptions } from './Scheduler.js'

export interface LocalSchedulerOptions extends PendingPlacementPolicy {
  placements: PlacementStore
  logger: Logger
  hosts: readonly string[]
  maxRoomsPerServer: number
  healthCheckIntervalMs: number
  healthCheckTimeoutMs: number
}

/**
 * Places rooms on a static list of session servers: keeps a room where it is while that host is
 * healthy, otherwise moves it to the healthy host with the fewest active rooms below
 * `maxRoomsPerServer`.
 *
 * Replicas agree through `PlacingScheduler`'s compare-and-set. The capacity check is not atomic
 * across replicas; at worst a host gets one room per racing replica above its limit, which is a
 * soft limit anyway.
 */
export class LocalScheduler extends PlacingScheduler {
  private readonly health: HealthChecker

  constructor(private readonly options: LocalSchedulerOptions) {
    if (options.hosts.length === 0) throw new TypeError('LocalScheduler needs at least one session server host')
    super(options.placements, options.logger, options)
    this.health = new HealthChecker({
      hosts: options.hosts,
      intervalMs: options.healthCheckIntervalMs,
      timeoutMs: options.healthCheckTimeoutMs,
      logger: options.logger,
    })
  }

  start(): Promise<void> {
    return this.health.start()
  }

  async stop(): Promise<void> {
    this.health.stop()
  }

  override async serverRegistered(host: string): Promise<void> {
    await super.serverRegistered(host)
    this.health.markHealthy(host)
  }

  override async placeRoom(roomId: string, options: PlaceRoomOptions = {}): Promise<Placement> {
    // Checked before anything else, whether or not the room is placed there now: a drained server
    // may have released the room already and must not be chosen again before the next round.
    const { failedHost } = options
    if (failedHost !== undefined && this.options.hosts.includes(failedHost)) {
      await this.health.check(failedHost, FAILED_HOST_CHECK_TIMEOUT_MS)
    }
    return super.placeRoom(roomId, options)
  }

  protected async targetHost(_roomId: string, current: PlacementRow): Promise<string> {
    if (current.host !== null && this.isUsable(current.host)) return current.host
    return this.chooseHost()
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
    const counts = await this.placements.activeCounts(this.pending.pendingGraceMs)
    let best: { host: string; count: number } | undefined
    for (const host of healthy) {
      const count = counts.get(host) ?? 0
      if (count < this.options.maxRoomsPerServer && (!best || count < best.count)) best = { host, count }
    }
    if (!best) throw noCapacity(healthy.length, this.options.maxRoomsPerServer)
    return best.host
  }
}
