/**
 * New connections per user within a fixed window (`CONNECTS_PER_USER_PER_MINUTE`): the first
 * connect of a user opens a window of `windowMs`, and at most `perWindow` connects are let through
 * until it ends. The same rule as rate-limiter-flexible's `RateLimiterMemory`, without its timer
 * and record per key: after a reconnect storm of 20,000 users that was ~250 bytes and a `Timeout`
 * per user for a minute. Expired windows are dropped in one sweep at most once a window, so the
 * map holds only users who connected within the last two windows.
 */
export class ConnectRate {
  private readonly windows = new Map<string, { count: number; endsAt: number }>()
  private nextSweepAt = 0

  constructor(
    private readonly perWindow: number,
    private readonly windowMs: number,
  ) {}

  /** Counts one connect of `key`; false when `key` is over its allowance in the current window. */
  tryConsume(key: string, now = Date.now()): boolean {
    if (now >= this.nextSweepAt) this.sweep(now)
    let window = this.windows.get(key)
    if (window === undefined || window.endsAt <= now) {
      window = { count: 0, endsAt: now + this.windowMs }
      this.windows.set(key, window)
    }
    window.count++
    return window.count <= this.perWindow
  }

  /** Keys with an open window (for tests). */
  get size(): number {
    return this.windows.size
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key)
    this.nextSweepAt = now + this.windowMs
  }
}
