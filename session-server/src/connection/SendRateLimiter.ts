import { DEFAULT_LIMITS, type RoomLimits } from '@scalable-chat/protocol'
import { RateLimiterMemory, RateLimiterUnion } from 'rate-limiter-flexible'
import { tryConsume } from './tryConsume.js'

/** The window of the burst limit (whole seconds: rate-limiter-flexible counts in seconds). */
export const BURST_WINDOW_MS = DEFAULT_LIMITS.burstWindowMs

/** The rate limits a snapshot announces, so that clients pace themselves by this server's numbers. */
export type RateLimits = Pick<RoomLimits, 'messagesPerMinute' | 'messageBurst' | 'burstWindowMs'>

/**
 * Chat messages per user: at most `messagesPerMinute` a minute AND at most `messageBurst` within
 * `burstWindowMs`. Keyed by user, not connection, so opening more tabs does not raise the limit;
 * one limiter serves every room of the server.
 */
export class SendRateLimiter {
  readonly limits: RateLimits
  private readonly limiter: RateLimiterUnion

  constructor({ messagesPerMinute, messageBurst }: Omit<RateLimits, 'burstWindowMs'>) {
    const burstWindowMs = BURST_WINDOW_MS
    this.limits = { messagesPerMinute, messageBurst, burstWindowMs }
    this.limiter = new RateLimiterUnion(
      new RateLimiterMemory({ keyPrefix: 'minute', points: messagesPerMinute, duration: 60 }),
      new RateLimiterMemory({ keyPrefix: 'burst', points: messageBurst, duration: burstWindowMs / 1000 }),
    )
  }

  /** Takes one message from the user's allowance; false when the user is over a limit. */
  tryConsume(userId: string): Promise<boolean> {
    return tryConsume(this.limiter, userId)
  }
}
