import type { RequestHandler } from 'express'
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible'
import { AuthFailureReason, type BackendMetrics } from '../metrics/BackendMetrics.js'
import { HttpError } from './HttpError.js'

/**
 * At most `perMinute` requests per client IP per minute, then 429 `rate_limited` with Retry-After.
 * Meant for the password endpoints, where each request costs an scrypt and guesses must be slow.
 * In memory, so per replica: with N replicas a client gets up to N times the limit.
 */
export function rateLimit(perMinute: number, metrics: BackendMetrics): RequestHandler {
  const limiter = new RateLimiterMemory({ points: perMinute, duration: 60 })
  return async (req, res, next) => {
    const wait = await waitBefore(limiter, req.ip ?? 'unknown')
    if (wait !== undefined) {
      metrics.authFailures.inc({ reason: AuthFailureReason.RATE_LIMITED })
      res.set('retry-after', String(wait))
      throw new HttpError(429, 'rate_limited', 'too many attempts, try again in a minute')
    }
    next()
  }
}

/**
 * Takes one point of `key`'s allowance: `undefined` when there was one, else the whole seconds
 * until there is (what `Retry-After` says).
 */
export async function waitBefore(limiter: RateLimiterMemory, key: string): Promise<number | undefined> {
  try {
    await limiter.consume(key)
    return undefined
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection
    return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000))
  }
}
