import type { Logger } from 'pino'
import type { PlacementRow, PlacementStore } from '../storage/PlacementStore.js'
import { PlacementError, PlacementErrorCode, type Placement, type PlaceRoomOptions, type Scheduler } from './Scheduler.js'

/** A placement nobody loaded stops holding a slot after this long (the client never connected). */
export const PENDING_PLACEMENT_GRACE_MS = 2 * 60_000
/** Checking the host a client just failed to reach happens on the join path, so keep it short. */
export const FAILED_HOST_CHECK_TIMEOUT_MS = 500
/** Compare-and-set rounds before giving up; each lost round means another replica placed the room. */
const MAX_PLACEMENT_ATTEMPTS = 5

/**
 * The placement loop and the placement lifecycle every Scheduler shares; subclasses only say
 * which host a room belongs on.
 *
 * Replicas coordinate through the `placements` table only: the row is created with
 * `ON CONFLICT DO NOTHING` and moved with a compare-and-set on its epoch, so when two replicas
 * (or two requests) place one room at once, one wins and the other re-reads and uses the
 * winner's placement.
 */
export abstract class PlacingScheduler implements Scheduler {
  constructor(
    protected readonly placements: PlacementStore,
    protected readonly logger: Logger,
  ) {}

  abstract start(): Promise<void>
  abstract stop(): Promise<void>

  async placeRoom(roomId: string, options: PlaceRoomOptions = {}): Promise<Placement> {
    await this.placements.ensure(roomId)
    for (let attempt = 0; attempt < MAX_PLACEMENT_ATTEMPTS; attempt++) {
      const current = await this.placements.get(roomId)
      // The room was deleted while we were placing it.
      if (!current) throw new PlacementError(PlacementErrorCode.ROOM_NOT_FOUND, 'room not found')
      const host = await this.targetHost(roomId, current, options)
      if (host === current.host) return { host, epoch: current.epoch }
      const placed = await this.placements.place(roomId, current.epoch, host)
      if (placed) {
        this.logger.info({ roomId, host, epoch: placed.epoch, from: current.host }, 'placed room')
        return { host, epoch: placed.epoch, ...(current.host !== null ? { previousHost: current.host } : {}) }
      }
    }
    throw new Error(`could not place room ${roomId}: the placement kept changing`)
  }

  async placementOf(roomId: string): Promise<Placement | undefined> {
    return asPlacement(await this.placements.get(roomId))
  }

  async roomLoaded(roomId: string, host: string): Promise<Placement | undefined> {
    return asPlacement(await this.placements.markLoaded(roomId, host))
  }

  async roomReleased(roomId: string, host: string, epoch: number): Promise<void> {
    await this.placements.release(roomId, host, epoch)
  }

  async serverRegistered(host: string): Promise<void> {
    await this.placements.releaseHost(host)
  }

  async serverLeft(host: string): Promise<void> {
    await this.placements.releaseHost(host)
  }

  async roomDeleted(_roomId: string): Promise<void> {}

  /**
   * Where the room should live, given where it lives now: `current.host` to keep it there,
   * another host to move it (one compare-and-set round; a lost round asks again).
   * @throws PlacementError when no host can take it
   */
  protected abstract targetHost(roomId: string, current: PlacementRow, options: PlaceRoomOptions): Promise<string>
}

/** A row as a placement, when it places the room anywhere. */
function asPlacement(row: PlacementRow | undefined): Placement | undefined {
  return row?.host == null ? undefined : { host: row.host, epoch: row.epoch }
}
