/**
 * This server's membership in the backend's fleet: registers at start (retrying until the backend
 * answers, so the stack starts in any order), reports its load every `intervalMs` (the backend's
 * liveness signal for `SCHEDULER=fleet`), says when it starts draining, and deregisters once drained.
 */
import type { FleetApi } from '../backendApi/BackendApi.js'
import type { Logger } from '../logger.js'

const REGISTER_BASE_DELAY_MS = 500
const REGISTER_MAX_DELAY_MS = 10_000

export interface FleetLoad {
  rooms: number
  members: number
}

export interface FleetRegistrationOptions {
  fleetApi: FleetApi
  /** PUBLIC_HOST: the address clients connect to, and this server's name in the fleet. */
  host: string
  internalUrl?: string | undefined
  intervalMs: number
  load: () => FleetLoad
  logger: Logger
}

export class FleetRegistrationRejected extends Error {
  override name = 'FleetRegistrationRejected'
}

export class FleetRegistration {
  private timer: NodeJS.Timeout | undefined
  private draining = false
  private stopped = false
  /** One heartbeat at a time: a slow backend must not pile them up. */
  private inFlight: Promise<void> | undefined

  constructor(private readonly options: FleetRegistrationOptions) {}

  /**
   * Registers (the backend forgets what this address held before: we start empty), then starts
   * the heartbeats. Resolves once registered.
   * @throws FleetRegistrationRejected when the backend refuses us (a wrong SERVICE_TOKEN): retrying cannot help
   */
  async start(): Promise<void> {
    const { fleetApi, host, internalUrl, logger } = this.options
    for (let attempt = 1; !this.stopped; attempt++) {
      const result = await fleetApi.register(host, internalUrl)
      if (result.ok) break
      if (result.reason === 'rejected') throw new FleetRegistrationRejected(`the backend refused registration: ${result.detail}`)
      const retryInMs = Math.min(REGISTER_MAX_DELAY_MS, REGISTER_BASE_DELAY_MS * 2 ** (attempt - 1))
      logger.warn({ attempt, retryInMs, reason: result.reason }, 'waiting for the backend')
      await new Promise((resolve) => setTimeout(resolve, retryInMs))
    }
    if (this.stopped) return
    logger.info({ host }, 'registered with the backend')
    this.timer = setInterval(() => void this.beat(), this.options.intervalMs)
    // Heartbeats alone must not keep the process (or a test run) alive.
    this.timer.unref()
  }

  /** Tells the backend at once that this server takes no new rooms (it keeps heartbeating). */
  async markDraining(): Promise<void> {
    this.draining = true
    await this.inFlight
    await this.beat()
  }

  /** Stops the heartbeats and leaves the fleet; the backend releases anything still placed here. */
  async deregister(): Promise<void> {
    this.stop()
    await this.inFlight
    const result = await this.options.fleetApi.deregister(this.options.host)
    if (!result.ok) this.options.logger.warn({ reason: result.reason }, 'could not deregister; the backend will notice the missed heartbeats')
  }

  /** Stops the heartbeats without telling the backend (tests, or a crash-like stop). */
  stop(): void {
    this.stopped = true
    clearInterval(this.timer)
    this.timer = undefined
  }

  private beat(): Promise<void> {
    this.inFlight ??= this.send().finally(() => {
      this.inFlight = undefined
    })
    return this.inFlight
  }

  private async send(): Promise<void> {
    const { fleetApi, host, internalUrl, load, logger } = this.options
    const result = await fleetApi.heartbeat({ host, ...(internalUrl ? { internalUrl } : {}), ...load(), draining: this.draining })
    if (!result.ok) logger.warn({ reason: result.reason }, 'heartbeat failed')
  }
}
