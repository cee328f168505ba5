import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible'

export interface LoginThrottleOptions {
  maxFailuresPerUsername: number
  maxFailuresPerIp: number
  windowSeconds: number
}

/** `blocked` carries how long until the next attempt may be made. */
export type ThrottleVerdict = { blocked: false } | { blocked: true; retryAfterSeconds: number }

/**
 * Brute-force protection for passwords, after rate-limiter-flexible's "consecutive failures"
 * pattern: failed logins are counted per username (one account attacked from many IPs) and per
 * IP (many accounts tried from one IP). Once either count reaches its maximum within the window,
 * logins for that key are refused with 429 and Retry-After until the window ends — without
 * running scrypt. A success clears the username's count, so a person who mistyped a few times is
 * not punished later. Only failures count, so ordinary use never gets near the limits.
 *
 * In memory, so per replica (like the per-IP attempt limit); with N replicas an attacker gets at
 * most N times the budget, still far too few guesses to matter.
 */
export class LoginThrottle {
  private readonly byUsername: RateLimiterMemory
  private readonly byIp: RateLimiterMemory

  constructor(private readonly options: LoginThrottleOptions) {
    this.byUsername = new RateLimiterMemory({ keyPrefix: 'login-user', points: options.maxFailuresPerUsername, duration: options.windowSeconds })
    this.byIp = new RateLimiterMemory({ keyPrefix: 'login-ip', points: options.maxFailuresPerIp, duration: options.windowSeconds })
  }

  /** Whether a login for this username from this IP may be attempted now. */
  async check(username: string, ip: string): Promise<ThrottleVerdict> {
    const [user, address] = await Promise.all([this.byUsername.get(usernameKey(username)), this.byIp.get(ip)])
    const waits = [
      exhausted(user, this.options.maxFailuresPerUsername),
      exhausted(address, this.options.maxFailuresPerIp),
    ].filter((ms): ms is number => ms !== undefined)
    if (waits.length === 0) return { blocked: false }
    return { blocked: true, retryAfterSeconds: Math.max(1, Math.ceil(Math.max(...waits) / 1000)) }
  }

  async recordFailure(username: string, ip: string): Promise<void> {
    // `penalty` adds points without rejecting: the next `check` is what refuses.
    await Promise.all([this.byUsername.penalty(usernameKey(username)), this.byIp.penalty(ip)])
  }

  async recordSuccess(username: string): Promise<void> {
    await this.byUsername.delete(usernameKey(username))
  }
}

/** Usernames are unique case-insensitively, so `Alice` and `alice` share one budget. */
function usernameKey(username: string): string {
  return username.toLowerCase()
}

/** Milliseconds until the key's window ends, when its failures reached `max`. */
function exhausted(res: RateLimiterRes | null, max: number): number | undefined {
  return res !== null && res.consumedPoints >= max ? res.msBeforeNext : undefined
}
