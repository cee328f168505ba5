import type { RateLimiterAbstract, RateLimiterUnion } from 'rate-limiter-flexible'

/**
 * Takes one point of `key`'s allowance; false when `key` is over it. rate-limiter-flexible
 * rejects with its result (a plain object, or a map of them for a union) when a limit is hit; a
 * real Error is a bug and must surface.
 */
export async function tryConsume(limiter: RateLimiterAbstract | RateLimiterUnion, key: string): Promise<boolean> {
  try {
    await limiter.consume(key)
    return true
  } catch (rejection) {
    if (rejection instanceof Error) throw rejection
    return false
  }
}
