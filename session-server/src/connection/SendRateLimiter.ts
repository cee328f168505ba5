import { RateLimiterMemory, RateLimiterUnion } from 'rate-limiter-flexible'

/** The window of the burst limit: at most `burst` messages within it. */
export const BURST_WINDOW_SECONDS = 2

/**
 * Chat messages per user: at most `perMinute` a minute AND at most `burst` within about two
 * seconds. Keyed by user, not connection, so opening more tabs does not raise the limit.
 */
export class SendRateLimiter {
  private readonly limiter: RateLimiterUnion

  constructor(perMinute: number, burst: number) {
    this.limiter = new RateLimiterUnion(
      new RateLimiterMemory({ keyPrefix: 'minute', points: perMinute, duration: 60 }),
      new RateLimiterMemory({ keyPrefix: 'burst', points: burst, duration: BURST_WINDOW_SECONDS }),
    )
  }

  /** Takes one message from the user's allowance; false when the user is over a limit. */
  async tryConsume(userId: string): Promise<boolean> {
    try {
      await this.limiter.consume(userId)
      return true
    } catch (rejection) {
      // The union rejects with a map of limiter results; a real Error is a bug and must surface.
      if (rejection instanceof Error) throw rejection
      return false
    }
  }
}
