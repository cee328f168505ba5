/** Refused frames a connection may send within `STRIKE_WINDOW_MS` before it is closed (1008). */
export const MAX_STRIKES = 10
export const STRIKE_WINDOW_MS = 60_000

/**
 * Counts a connection's refused frames in a sliding window. One mistake gets an error frame; a
 * client that keeps sending garbage or flooding is closed, so it cannot make the server spend
 * time on it forever.
 */
export class StrikeCounter {
  private strikes: number[] = []

  constructor(
    private readonly maxStrikes = MAX_STRIKES,
    private readonly windowMs = STRIKE_WINDOW_MS,
  ) {}

  /** Records one strike; true when the limit is reached. */
  strike(now = Date.now()): boolean {
    this.strikes = this.strikes.filter((t) => now - t < this.windowMs)
    this.strikes.push(now)
    return this.strikes.length >= this.maxStrikes
  }
}
