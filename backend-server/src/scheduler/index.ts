import type { Logger } from 'pino'
import type { BackendConfig } from '../config.js'
import type { FleetStore } from '../storage/FleetStore.js'
import type { PlacementStore } from '../storage/PlacementStore.js'
import { CachedScheduler } from './CachedScheduler.js'
import { FleetScheduler } from './FleetScheduler.js'
import { HathoraScheduler } from './HathoraScheduler.js'
import { LocalScheduler } from './LocalScheduler.js'
import type { Scheduler } from './Scheduler.js'

export { PlacementError, PlacementErrorCode } from './Scheduler.js'
export type { Placement, PlaceRoomOptions, Scheduler } from './Scheduler.js'

export interface SchedulerDeps {
  placements: PlacementStore
  fleet: FleetStore
  logger: Logger
}

/** The one place that picks the Scheduler implementation from configuration. */
export function createScheduler(config: BackendConfig, deps: SchedulerDeps): Scheduler {
  // The join path asks for placements far more often than they change: see CachedScheduler.
  const scheduler = createUncachedScheduler(config, deps)
  return config.placementCacheTtlMs > 0 ? new CachedScheduler(scheduler, { ttlMs: config.placementCacheTtlMs }) : scheduler
}

function createUncachedScheduler(config: BackendConfig, deps: SchedulerDeps): Scheduler {
  const logger = deps.logger.child({ component: 'scheduler' })
  const pending = { pendingGraceMs: config.pendingPlacementGraceMs, maxPendingPlacementsPerUser: config.maxPendingPlacementsPerUser }
  switch (config.scheduler) {
    case 'local':
      return new LocalScheduler({
        ...pending,
        placements: deps.placements,
        logger,
        hosts: config.sessionServerHosts,
        maxRoomsPerServer: config.maxRoomsPerServer,
        healthCheckIntervalMs: config.healthCheckIntervalMs,
        healthCheckTimeoutMs: config.healthCheckTimeoutMs,
      })
    case 'fleet':
      return new FleetScheduler({
        ...pending,
        placements: deps.placements,
        fleet: deps.fleet,
        logger,
        maxRoomsPerServer: config.maxRoomsPerServer,
        heartbeatTimeoutMs: config.fleetHeartbeatTimeoutMs,
      })
    case 'hathora':
      // loadConfig sets `hathora` exactly when the scheduler is hathora.
      if (!config.hathora) throw new TypeError('SCHEDULER=hathora needs the HATHORA_* settings')
      return new HathoraScheduler({ ...config.hathora, ...pending, placements: deps.placements, logger })
  }
}
