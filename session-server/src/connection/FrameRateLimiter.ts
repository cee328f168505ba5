import { RateLimiterMemory } from 'rate-limiter-flexible'
import { tryConsume } from './tryConsume.js'

/**
 * Frames per user per second, over every connection and room of this server, whatever their
 * type: `typing` and `status` cost the same as `send` (which also has its own message limits,
 * `SendRateLimiter`), and so does a frame that turns out to be garbage. Keyed by user, so opening
 * more sockets does not raise it. A client following the protocol sends a few frames a second at
 * most; a frame over the limit is refused before it is parsed, and counts as a strike.
 */
export class FrameRateLimiter {
  private readonly limiter: RateLimiterMemory

  constructor(readonly framesPerSecond: number) {
    this.limiter = new RateLimiterMemory({ keyPrefix: 'frames', points: framesPerSecond, duration: 1 })
  }

  /** Takes one frame from the user's allowance; false when the user is over it. */
  tryConsume(userId: string): Promise<boolean> {
    return tryConsume(this.limiter, userId)
  }
}
