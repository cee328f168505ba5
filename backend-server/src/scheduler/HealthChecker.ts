import type { Logger } from 'pino'
import { sessionServerUrl } from '../sessionServerUrl.js'
import { probeConfirmed } from './probeHealth.js'
import { SharedRuns } from './SharedRuns.js'

export interface HealthCheckerOptions {
  hosts: readonly string[]
  intervalMs: number
  timeoutMs: number
  logger: Logger
}

/**
 * Keeps the set of session servers that answer `GET /healthz` (URL derived from the address) with a
 * 2xx, and which of them are draining (`"draining": true` in the body). The `Scheduler` rule: a
 * draining server keeps the rooms it holds (its drain stores and releases them) but gets no new ones.
 *
 * A host counts as healthy until a check proves otherwise: before `start()` (so a freshly created
 * app can place rooms at once) and between checks. `start()` runs the first round before it
 * resolves, so a server that is down at start-up is never chosen.
 */
export class HealthChecker {
  private readonly healthy: Set<string>
  private readonly draining = new Set<string>()
  private timer: NodeJS.Timeout | undefined
  private round: Promise<void> | undefined
  /** Probes in flight per host: every client of a dead server reports it at once, one probe answers them all. */
  private readonly probing = new SharedRuns<boolean>()

  constructor(private readonly options: HealthCheckerOptions) {
    this.healthy = new Set(options.hosts)
  }

  async start(): Promise<void> {
    await this.checkAll()
    this.timer = setInterval(() => void this.checkAll(), this.options.intervalMs)
    // Health checks alone must not keep the process (or a test run) alive.
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  /** Alive, draining or not: the rooms it holds stay there. */
  isHealthy(host: string): boolean {
    return this.healthy.has(host)
  }

  /** Alive and not draining: the hosts that may get new rooms. */
  healthyHosts(): string[] {
    return this.options.hosts.filter((h) => this.healthy.has(h) && !this.draining.has(h))
  }

  /** Marks a host healthy without waiting for the next round (it just told us it is up). */
  markHealthy(host: string): void {
    if (!this.options.hosts.includes(host)) return
    this.healthy.add(host)
    this.draining.delete(host)
  }

  /** Checks every host now; concurrent callers share one round. */
  checkAll(): Promise<void> {
    this.round ??= Promise.all(this.options.hosts.map((h) => this.check(h))).then(
      () => {
        this.round = undefined
      },
      () => {
        this.round = undefined
      },
    )
    return this.round
  }

  /**
   * Checks one host now and records the result; concurrent callers for one host share one probe.
   * A failure is confirmed by a second probe (with the round's timeout) before the host counts as down.
   */
  check(host: string, timeoutMs = this.options.timeoutMs): Promise<boolean> {
    return this.probing.run(host, () => this.probeAndRecord(host, timeoutMs))
  }

  private async probeAndRecord(host: string, timeoutMs: number): Promise<boolean> {
    const status = await probeConfirmed(sessionServerUrl(host, '/healthz'), timeoutMs, Math.max(timeoutMs, this.options.timeoutMs))
    const ok = status !== 'down'
    if (status === 'draining') this.draining.add(host)
    else this.draining.delete(host)
    const was = this.healthy.has(host)
    if (ok) this.healthy.add(host)
    else this.healthy.delete(host)
    if (ok !== was) this.options.logger.warn({ host }, ok ? 'session server is up' : 'session server is down')
    return ok
  }
}
