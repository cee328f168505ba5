import type { Logger } from 'pino'
import type { FleetServer, FleetStore } from '../storage/FleetStore.js'
import type { PlacementRow, PlacementStore } from '../storage/PlacementStore.js'
import {
  FAILED_HOST_CHECK_TIMEOUT_MS,
  FAILED_HOST_CONFIRM_TIMEOUT_MS,
  noCapacity,
  PlacingScheduler,
  type PendingPlacementPolicy,
} from './PlacingScheduler.js'
import { probeConfirmed } from './probeHealth.js'
import { PlacementError, PlacementErrorCode, type PlaceRoomOptions } from './Scheduler.js'
import { SharedRuns } from './SharedRuns.js'

export interface FleetSchedulerOptions extends PendingPlacementPolicy {
  placements: PlacementStore
  /** The session servers that registered themselves, and their reported load. */
  fleet: FleetStore
  logger: Logger
  maxRoomsPerServer: number
  /** A server whose last heartbeat is older than this is dead: no new rooms, and its rooms move. */
  heartbeatTimeoutMs: number
}

/**
 * Places rooms on session servers that registered themselves (`POST /internal/servers/register`)
 * and keep reporting their load (`/heartbeat`), so an autoscaled fleet needs no list of hosts.
 *
 * - A new (or orphaned) room goes to the live, non-draining server with the most headroom:
 *   `maxRoomsPerServer` minus the rooms placed there (from `placements`, which every replica
 *   updates at once, unlike the reported load, which lags a heartbeat); ties go to the server
 *   with fewer members.
 * - A room stays where it is while that server is live, draining or not: a draining server
 *   flushes and releases its rooms within moments, and moving a room before that would fence
 *   its last batch.
 * - A room whose server missed its heartbeats, deregistered, or is unreachable when a client
 *   says so (`failedHost`, checked at once) is placed afresh; its clients follow through their
 *   normal reconnect and resume.
 *
 * Both the fleet and the placements live in storage, so backend replicas agree; placement uses
 * `PlacingScheduler`'s compare-and-set on the epoch.
 */
export class FleetScheduler extends PlacingScheduler {
  private readonly fleet: FleetStore
  private readonly probing = new SharedRuns<boolean>()

  constructor(private readonly options: FleetSchedulerOptions) {
    super(options.placements, options.logger, options)
    this.fleet = options.fleet
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  protected async targetHost(_roomId: string, current: PlacementRow, options: PlaceRoomOptions): Promise<string> {
    const live = await this.fleet.live(this.options.heartbeatTimeoutMs)
    if (current.host !== null && (await this.isUsable(current.host, live, options.failedHost))) return current.host
    return this.chooseHost(live.filter((s) => s.host !== current.host))
  }

  private async isUsable(host: string, live: FleetServer[], failedHost: string | undefined): Promise<boolean> {
    if (!live.some((s) => s.host === host)) return false
    if (host !== failedHost) return true
    return this.answers(host)
  }

  /**
   * Whether a server a client reported answers its `/healthz`, a failure confirmed by a second
   * probe; if not, it is marked unreachable and its rooms move. Every client of a dead server
   * reports it at once: concurrent reports share one check.
   */
  private answers(host: string): Promise<boolean> {
    return this.probing.run(host, async () => {
      const url = await this.fleet.httpUrl(host, '/healthz')
      if ((await probeConfirmed(url, FAILED_HOST_CHECK_TIMEOUT_MS, FAILED_HOST_CONFIRM_TIMEOUT_MS)) !== 'down') return true
      this.options.logger.warn({ host }, 'session server unreachable; moving its rooms')
      await this.fleet.markUnreachable(host)
      return false
    })
  }

  private async chooseHost(live: FleetServer[]): Promise<string> {
    const candidates = live.filter((s) => !s.draining)
    if (candidates.length === 0) throw new PlacementError(PlacementErrorCode.NO_SERVERS, 'no session server is available')
    const counts = await this.placements.activeCounts(this.pending.pendingGraceMs)
    let best: { server: FleetServer; headroom: number } | undefined
    for (const server of candidates) {
      const headroom = this.options.maxRoomsPerServer - (counts.get(server.host) ?? 0)
      if (headroom <= 0) continue
      if (!best || headroom > best.headroom || (headroom === best.headroom && server.members < best.server.members)) {
        best = { server, headroom }
      }
    }
    if (!best) throw noCapacity(candidates.length, this.options.maxRoomsPerServer)
    return best.server.host
  }
}
