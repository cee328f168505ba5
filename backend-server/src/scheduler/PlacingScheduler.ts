import type { Logger } from 'pino'
import type { PlacementRow, PlacementStore } from '../storage/PlacementStore.js'
import { PlacementError, PlacementErrorCode, type Placement, type PlaceRoomOptions, type Scheduler } from './Scheduler.js'

/** Checking the host a client just failed to reach happens on the join path, so keep it short. */
export const FAILED_HOST_CHECK_TIMEOUT_MS = 500
/**
 * A failed check is confirmed by a second, more patient one before the host counts as down and
 * its rooms move: one slow answer (a GC pause, a busy moment) must not move every room of a server.
 */
export const FAILED_HOST_CONFIRM_TIMEOUT_MS = 2000

/** How placements that no session server has loaded yet are counted and capped. */
export interface PendingPlacementPolicy {
  /**
   * A placement nobody loaded stops holding a slot after this long: the client never connected
   * (`PENDING_PLACEMENT_GRACE_MS`).
   */
  pendingGraceMs: number
  /** Such placements one user may hold at once (`MAX_PENDING_PLACEMENTS_PER_USER`). */
  maxPendingPlacementsPerUser: number
}
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
    protected readonly pending: PendingPlacementPolicy,
  ) {}

  abstract start(): Promise<void>
  abstract stop(): Promise<void>

  async placeRoom(roomId: string, options: PlaceRoomOptions = {}): Promise<Placement> {
    await this.placements.ensure(roomId)
    for (let attempt = 0; attempt < MAX_PLACEMENT_ATTEMPTS; attempt++) {
      const current = await this.placements.get(roomId)
      // The room was deleted while we were placing it.
      if (!current) throw new PlacementError(PlacementErrorCode.ROOM_NOT_FOUND, 'room not found')
      // Before choosing a host (for Hathora, creating a room there): a room placed nowhere is
      // about to take a slot in this user's name.
      if (current.host === null && options.userId !== undefined) await this.checkPendingPlacements(options.userId)
      const host = await this.targetHost(roomId, current, options)
      if (host === current.host) return { host, epoch: current.epoch }
      const placed = await this.placements.place(roomId, current.epoch, host, options.userId)
      if (placed) {
        this.logger.info({ roomId, host, epoch: placed.epoch, from: current.host }, 'placed room')
        return { host, epoch: placed.epoch, ...(current.host !== null ? { previousHost: current.host } : {}) }
      }
    }
    throw new Error(`could not place room ${roomId}: the placement kept changing`)
  }

  /** @throws PlacementError `too_many_pending_rooms` when the user holds as many unloaded placements as allowed */
  private async checkPendingPlacements(userId: string): Promise<void> {
    const { pendingGraceMs, maxPendingPlacementsPerUser } = this.pending
    const count = await this.placements.pendingCount(userId, pendingGraceMs)
    if (count < maxPendingPlacementsPerUser) return
    throw new PlacementError(
      PlacementErrorCode.TOO_MANY_PENDING_ROOMS,
      `you have ${count} rooms opened but not connected to yet (at most ${maxPendingPlacementsPerUser}); connect to one, or try again in ${Math.ceil(pendingGraceMs / 1000)} s`,
    )
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

/** `no_capacity`, saying which limit: every server that may take rooms holds `maxRoomsPerServer`. */
export function noCapacity(servers: number, maxRoomsPerServer: number): PlacementError {
  return new PlacementError(
    PlacementErrorCode.NO_CAPACITY,
    `every session server is full: ${servers === 1 ? 'the one server holds' : `all ${servers} servers hold`} ${maxRoomsPerServer} active rooms each (MAX_ROOMS_PER_SERVER); try again when a room closes`,
  )
}

/** A row as a placement, when it places the room anywhere. */
function asPlacement(row: PlacementRow | undefined): Placement | undefined {
  return row?.host == null ? undefined : { host: row.host, epoch: row.epoch }
}
