import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible'

export interface LoginThrottleOptions {
  /** Failed logins of one username from one IP within the window (`LOGIN_MAX_FAILURES_PER_USERNAME_AND_IP`). */
  maxFailuresPerUsernameAndIp: number
  /** Failed logins from one IP, whatever the username, within the window (`LOGIN_MAX_FAILURES_PER_IP`). */
  maxFailuresPerIp: number
  windowSeconds: number
}

/** `blocked` carries how long until the next attempt may be made. */
export type ThrottleVerdict = { blocked: false } | { blocked: true; retryAfterSeconds: number }

/**
 * Brute-force protection for passwords, after rate-limiter-flexible's "consecutive failures"
 * pattern, keyed so that nobody can use it against someone else: failures are counted per
 * (username, IP), so guessing one account from one address stops after a few tries while its
 * owner, elsewhere, signs in as usual; and per IP, so one address trying many accounts stops too.
 * Over either count, logins for that key get 429 and Retry-After until the window ends, without
 * running scrypt. A success clears its (username, IP) count.
 *
 * What it does not do, on purpose: lock a username for everyone. That would let any stranger
 * lock any user out with five wrong passwords. A guesser spread over many addresses gets a few
 * tries per address per window, each an OWASP-strength scrypt (`passwords.ts`).
 *
 * In memory, so per replica (like the per-IP attempt limit); with N replicas an attacker gets at
 * most N times the budget.
 */
export class LoginThrottle {
  private readonly byUsernameAndIp: RateLimiterMemory
  private readonly byIp: RateLimiterMemory

  constructor(private readonly options: LoginThrottleOptions) {
    this.byUsernameAndIp = new RateLimiterMemory({
      keyPrefix: 'login-user-ip',
      points: options.maxFailuresPerUsernameAndIp,
      duration: options.windowSeconds,
    })
    this.byIp = new RateLimiterMemory({ keyPrefix: 'login-ip', points: options.maxFailuresPerIp, duration: options.windowSeconds })
  }

  /** Whether a login for this username from this IP may be attempted now. */
  async check(username: string, ip: string): Promise<ThrottleVerdict> {
    const [pair, address] = await Promise.all([this.byUsernameAndIp.get(pairKey(username, ip)), this.byIp.get(ip)])
    const waits = [
      exhausted(pair, this.options.maxFailuresPerUsernameAndIp),
      exhausted(address, this.options.maxFailuresPerIp),
    ].filter((ms): ms is number => ms !== undefined)
    if (waits.length === 0) return { blocked: false }
    return { blocked: true, retryAfterSeconds: Math.max(1, Math.ceil(Math.max(...waits) / 1000)) }
  }

  async recordFailure(username: string, ip: string): Promise<void> {
    // `penalty` adds points without rejecting: the next `check` is what refuses.
    await Promise.all([this.byUsernameAndIp.penalty(pairKey(username, ip)), this.byIp.penalty(ip)])
  }

  async recordSuccess(username: string, ip: string): Promise<void> {
    await this.byUsernameAndIp.delete(pairKey(username, ip))
  }
}

/** Usernames are unique case-insensitively, so `Alice` and `alice` share one budget; NUL cannot occur in either part. */
function pairKey(username: string, ip: string): string {
  return `${username.toLowerCase()}\u0000${ip}`
}

/** Milliseconds until the key's window ends, when its failures reached `max`. */
function exhausted(res: RateLimiterRes | null, max: number): number | undefined {
  return res !== null && res.consumedPoints >= max ? res.msBeforeNext : undefined
}
