import { setTimeout as sleep } from 'node:timers/promises'
import { HathoraCloud } from '@hathora/cloud-sdk-typescript'
import type { ConnectionInfoV2 } from '@hathora/cloud-sdk-typescript/models/components/index.js'
// The bare directory import fails under native ESM; the index file is what works.
import {
  ConnectionError,
  HathoraCloudError,
  RequestTimeoutError,
} from '@hathora/cloud-sdk-typescript/models/errors/index.js'
import type { Logger } from 'pino'
import type { HathoraConfig } from '../config.js'
import type { PlacementRow, PlacementStore } from '../storage/PlacementStore.js'
import { PlacingScheduler, type PendingPlacementPolicy } from './PlacingScheduler.js'
import { PlacementError, PlacementErrorCode, type Placement, type PlaceRoomOptions } from './Scheduler.js'
import { SharedRuns } from './SharedRuns.js'

export interface HathoraSchedulerOptions extends HathoraConfig, PendingPlacementPolicy {
  placements: PlacementStore
  logger: Logger
}

/** Waits grow from `pollIntervalMs` by doubling up to this multiple of it. */
const MAX_BACKOFF_FACTOR = 8

/**
 * Places every chat room in a Hathora Cloud room of the same id, through the rooms v2 API:
 * create it in `region`, poll its connection info until it is active and exposes a port, and
 * record `host:port` in `placements` (a new host means a new epoch, as with every Scheduler).
 *
 * Every join asks Hathora for the room's connection info (one unauthenticated GET), because
 * Hathora destroys rooms behind our back: idle processes are reaped and crashed ones take their
 * rooms along. A room Hathora no longer knows is created again under the same id, so rooms
 * never expire for users; the session server loads history and board from storage as usual.
 *
 * Creation is not idempotent, so it is never retried blindly: after any failed or unanswered
 * create, the room's connection info is read first, and the room is created again only if
 * Hathora says it does not exist. Joins of one room in this process share one placement; racing
 * replicas both see "not found" at worst, and the loser's create is refused (the room exists),
 * after which it reads the winner's connection info. The SDK's own retries stay off (its backoff
 * strategy would retry the create, for up to an hour); ours are bounded by `maxRetries` per call
 * and by `activationTimeoutMs` per placement, and end in a `PlacementError` (503), never a hang;
 * except that a room already placed keeps its placement while Hathora's API is failing (its
 * server may well be up, and a client that cannot reach it comes back with a fresh join).
 *
 * Hathora's hosting ended on 2026-05-05; this stays for projects built on the reference.
 */
export class HathoraScheduler extends PlacingScheduler {
  private readonly client: HathoraCloud
  private readonly inFlight = new SharedRuns<Placement>()

  constructor(private readonly options: HathoraSchedulerOptions) {
    super(options.placements, options.logger, options)
    // appId on the client is required: without it the SDK throws AND leaves an unhandled rejection.
    this.client = new HathoraCloud({
      serverURL: options.apiUrl,
      appId: options.appId,
      hathoraDevToken: options.token,
      timeoutMs: options.requestTimeoutMs,
      retryConfig: { strategy: 'none' },
    })
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  /** Hathora says where a room runs, so `failedHost` changes nothing; the first joiner's `userId` is the one charged. */
  override placeRoom(roomId: string, options: PlaceRoomOptions = {}): Promise<Placement> {
    return this.inFlight.run(roomId, () => super.placeRoom(roomId, { userId: options.userId }))
  }

  override async roomDeleted(roomId: string): Promise<void> {
    try {
      await this.client.roomsV2.destroyRoom(roomId)
    } catch (error) {
      // Already gone is the outcome we wanted; anything else Hathora reaps when the process idles.
      if (statusOf(error) !== 404) this.options.logger.warn({ err: error, roomId }, 'could not destroy the Hathora room')
    }
  }

  protected async targetHost(roomId: string, current: PlacementRow): Promise<string> {
    try {
      return await this.runningRoomHost(roomId)
    } catch (error) {
      // Hathora's API failing says nothing about the room's server, which may well be serving:
      // keep sending users to where the room is rather than turn them away.
      if (!(error instanceof PlacementError) || error.code !== PlacementErrorCode.SCHEDULER_UNAVAILABLE) throw error
      if (current.host === null) throw error
      this.logger.warn({ err: error, roomId, host: current.host }, 'Hathora unavailable; using the stored placement')
      return current.host
    }
  }

  /** `host:port` of the room's active Hathora room, creating the room if Hathora does not have it. */
  private async runningRoomHost(roomId: string): Promise<string> {
    const deadline = Date.now() + this.options.activationTimeoutMs
    // A second create happens only after Hathora said the room does not exist (a lost create
    // response, or the room died while starting); like every other call it has `maxRetries` retries.
    let creates = 0
    let lastFailure: unknown
    for (let poll = 0; ; poll++) {
      const info = await this.connectionInfo(roomId, deadline)
      if (info === undefined) {
        if (creates > this.options.maxRetries) {
          if (lastFailure !== undefined) throw unavailable('createRoom', lastFailure)
          throw new PlacementError(PlacementErrorCode.SCHEDULER_UNAVAILABLE, 'Hathora keeps losing the room')
        }
        creates++
        lastFailure = await this.create(roomId, deadline, creates - 1)
        continue
      }
      if (info.status === 'active' && info.exposedPort) return `${info.exposedPort.host}:${info.exposedPort.port}`
      if (!(await this.waitBefore(poll, deadline))) {
        throw new PlacementError(
          PlacementErrorCode.ROOM_START_TIMEOUT,
          `the room's server did not start within ${this.options.activationTimeoutMs} ms`,
        )
      }
    }
  }

  /** The room's connection info, or `undefined` when Hathora does not know it (never created, or destroyed). */
  private async connectionInfo(roomId: string, deadline: number): Promise<ConnectionInfoV2 | undefined> {
    for (let failures = 0; ; failures++) {
      try {
        return await this.client.roomsV2.getConnectionInfo(roomId)
      } catch (error) {
        if (statusOf(error) === 404) return undefined
        await this.afterFailure('getConnectionInfo', roomId, error, failures, deadline)
      }
    }
  }

  /**
   * One create call. Returns after it succeeded, or (with the error) after a transient failure
   * that may or may not have created the room — the caller reads connection info before creating
   * again —, or after a refusal of a room that exists already (another replica created it).
   */
  private async create(roomId: string, deadline: number, failures: number): Promise<unknown> {
    try {
      const created = await this.client.roomsV2.createRoom({ region: this.options.region }, undefined, roomId)
      this.options.logger.info({ roomId, processId: created.processId, region: this.options.region }, 'created Hathora room')
      return undefined
    } catch (error) {
      if (isTransient(error)) {
        await this.afterFailure('createRoom', roomId, error, failures, deadline)
        return error
      }
      // Refused outright: fine if the room exists after all (a racing replica created it).
      if ((await this.connectionInfo(roomId, deadline)) === undefined) throw unavailable('createRoom', error)
      return undefined
    }
  }

  /** Waits before retrying a transient failure; throws once the failure is not transient or the budget is spent. */
  private async afterFailure(call: string, roomId: string, error: unknown, failures: number, deadline: number) {
    if (!isTransient(error) || failures >= this.options.maxRetries) throw unavailable(call, error)
    this.options.logger.warn({ err: error, roomId, call, attempt: failures + 1 }, 'Hathora call failed; retrying')
    if (!(await this.waitBefore(failures, deadline))) throw unavailable(call, error)
  }

  /** Sleeps the `n`-th backoff delay; false (without sleeping) if that would pass the deadline. */
  private async waitBefore(n: number, deadline: number): Promise<boolean> {
    const delayMs = this.options.pollIntervalMs * Math.min(MAX_BACKOFF_FACTOR, 2 ** n)
    if (Date.now() + delayMs > deadline) return false
    await sleep(delayMs)
    return true
  }
}

function statusOf(error: unknown): number | undefined {
  return error instanceof HathoraCloudError ? error.statusCode : undefined
}

/** Worth retrying: rate limited, a server-side failure, a timeout, or nobody answering. */
function isTransient(error: unknown): boolean {
  if (error instanceof ConnectionError || error instanceof RequestTimeoutError) return true
  const status = statusOf(error)
  return status === 408 || status === 429 || (status !== undefined && status >= 500)
}

function unavailable(call: string, error: unknown): PlacementError {
  const status = statusOf(error)
  const detail = status === undefined ? (error instanceof Error ? error.name : 'error') : `HTTP ${status}`
  return new PlacementError(PlacementErrorCode.SCHEDULER_UNAVAILABLE, `Hathora ${call} failed (${detail})`, {
    cause: error,
  })
}
