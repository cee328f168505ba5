import type { Logger } from 'pino'
import type { Scheduler } from '../scheduler/index.js'
import type { SessionServerClient } from '../SessionServerClient.js'
import type { UserStore } from '../storage/UserStore.js'

export interface GuestSweeperDeps {
  users: UserStore
  scheduler: Scheduler
  sessionServers: SessionServerClient
  intervalMs: number
  logger: Logger
}

/**
 * Deletes guests whose access has ended, every `intervalMs` (`GUEST_SWEEP_INTERVAL_MS`). Their
 * tokens have expired already; deleting them frees their names, takes them out of their room's
 * members (the membership cascades; their messages stay), and tells the room's session server,
 * which closes a guest still connected (LEFT_ROOM) and drops it from the member list. Runs whether
 * or not `ALLOW_GUESTS` is on now: guests let in before it was turned off still expire. Every
 * replica sweeps; each expired guest is deleted, and announced, by exactly one.
 */
export class GuestSweeper {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<number> | undefined

  constructor(private readonly deps: GuestSweeperDeps) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.deps.intervalMs)
    // The sweep alone must not keep the process (or a test run) alive.
    this.timer.unref()
  }

  /** Stops the timer and waits for a sweep in progress, so the database can close after it. */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await this.running
  }

  /** One sweep (a sweep already running is shared, not doubled); how many guests it deleted. */
  sweep(): Promise<number> {
    this.running ??= this.sweepOnce().finally(() => {
      this.running = undefined
    })
    return this.running
  }

  private async sweepOnce(): Promise<number> {
    try {
      const expired = await this.deps.users.deleteExpiredGuests()
      await Promise.all(
        expired.map(async ({ userId, roomId }) => {
          const placement = await this.deps.scheduler.placementOf(roomId)
          if (placement) await this.deps.sessionServers.memberLeft(placement.host, roomId, userId)
        }),
      )
      if (expired.length > 0) this.deps.logger.info({ guests: expired.length }, 'expired guests deleted')
      return expired.length
    } catch (error) {
      // A database blip: the next sweep finds the same guests.
      this.deps.logger.warn({ err: error }, 'guest sweep failed')
      return 0
    }
  }
}
