import { Router, type RequestHandler, type Response } from 'express'
import { Credentials, type AuthResponse } from '@scalable-chat/backend-contract'
import { HashingBusyError, type PasswordHasher } from '../auth/passwords.js'
import type { LoginThrottle } from '../auth/LoginThrottle.js'
import type { UserLocals } from '../auth/requireUser.js'
import type { TokenService } from '../auth/TokenService.js'
import { formatWait } from '../http/formatWait.js'
import { HttpError } from '../http/HttpError.js'
import { parseInput } from '../http/parseInput.js'
import { AuthFailureReason, type BackendMetrics } from '../metrics/BackendMetrics.js'
import type { UserStore } from '../storage/UserStore.js'

export function authRoutes(deps: {
  users: UserStore
  tokens: TokenService
  requireUser: RequestHandler
  /** Guards the password endpoints (each attempt costs an scrypt). */
  limitAttempts: RequestHandler
  /** Failed logins per username and IP and per IP (brute force), checked before scrypt runs. */
  loginThrottle: LoginThrottle
  /** scrypt, a few at a time. */
  passwords: PasswordHasher
  metrics: BackendMetrics
}): Router {
  const { users, tokens, passwords } = deps
  const router = Router()

  router.post('/register', deps.limitAttempts, async (req, res) => {
    const { username, password } = parseInput(Credentials, req.body)
    const user = await users.create(username, await hashing(res, () => passwords.hash(password)))
    if (!user) throw new HttpError(409, 'username_taken', 'that username is taken')
    res.status(201).json({ token: tokens.signUserToken(user), user } satisfies AuthResponse)
  })

  router.post('/login', deps.limitAttempts, async (req, res) => {
    const { username, password } = parseInput(Credentials, req.body)
    const ip = req.ip ?? 'unknown'
    const verdict = await deps.loginThrottle.check(username, ip)
    if (verdict.blocked) {
      deps.metrics.authFailures.inc({ reason: AuthFailureReason.THROTTLED })
      res.set('retry-after', String(verdict.retryAfterSeconds))
      throw new HttpError(429, 'rate_limited', `too many failed logins; try again in ${formatWait(verdict.retryAfterSeconds)}`)
    }
    const found = await users.findByUsername(username)
    // Always run scrypt (a dummy hash for an unknown name), so both take the same time.
    const verification = await hashing(res, () => passwords.verify(password, found?.passwordHash))
    if (!found || !verification.valid) {
      await deps.loginThrottle.recordFailure(username, ip)
      deps.metrics.authFailures.inc({ reason: AuthFailureReason.INVALID_CREDENTIALS })
      throw new HttpError(401, 'invalid_credentials', 'wrong username or password')
    }
    await deps.loginThrottle.recordSuccess(username, ip)
    // A hash made with older (weaker) parameters is replaced now that the password is known.
    if (verification.upgraded !== undefined) await users.updatePasswordHash(found.id, verification.upgraded)
    const user = { id: found.id, username: found.username }
    res.json({ token: tokens.signUserToken(user), user } satisfies AuthResponse)
  })

  router.get('/me', deps.requireUser, async (_req, res) => {
    // Read from storage rather than trusting the claims: a token of an account that no longer
    // exists (a wiped development database) is refused here, and the client signs in again.
    const user = await users.findById((res.locals as UserLocals).user.id)
    if (!user) throw HttpError.unauthorized('the account no longer exists')
    res.json({ user })
  })

  return router
}

/** Runs a hashing step; a full queue of hashes answers 503 `busy` with Retry-After instead of waiting. */
async function hashing<T>(res: Response, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (!(error instanceof HashingBusyError)) throw error
    res.set('retry-after', '1')
    throw new HttpError(503, 'busy', error.message)
  }
}
