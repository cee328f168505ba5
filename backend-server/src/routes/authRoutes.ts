import { Router, type RequestHandler, type Response } from 'express'
import { Credentials, GuestRequest, RoomIdParam, type AuthOptionsResponse, type AuthResponse } from '@scalable-chat/backend-contract'
import { HashingBusyError, type PasswordHasher } from '../auth/passwords.js'
import type { LoginThrottle } from '../auth/LoginThrottle.js'
import type { UserLocals } from '../auth/requireUser.js'
import type { TokenService } from '../auth/TokenService.js'
import { formatWait } from '../http/formatWait.js'
import { HttpError } from '../http/HttpError.js'
import { parseInput } from '../http/parseInput.js'
import { AuthFailureReason, type BackendMetrics } from '../metrics/BackendMetrics.js'
import type { RoomStore } from '../storage/RoomStore.js'
import type { UserStore } from '../storage/UserStore.js'

export function authRoutes(deps: {
  users: UserStore
  rooms: RoomStore
  tokens: TokenService
  requireUser: RequestHandler
  /** Guards the password endpoints (each attempt costs an scrypt) and guest entry (each one is a row). */
  limitAttempts: RequestHandler
  /** Failed logins per username and IP and per IP (brute force), checked before scrypt runs. */
  loginThrottle: LoginThrottle
  /** scrypt, a few at a time. */
  passwords: PasswordHasher
  metrics: BackendMetrics
  /** `ALLOW_GUESTS` and `GUEST_TTL_HOURS` (in seconds). */
  guests: { allowed: boolean; ttlSeconds: number }
}): Router {
  const { users, tokens, passwords } = deps
  const router = Router()
  const guestsAllowed: RequestHandler = (_req, _res, next) => {
    if (!deps.guests.allowed) throw new HttpError(403, 'guests_disabled', 'this server does not let guests in: sign in or create an account')
    next()
  }

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
    // Always run scrypt (a dummy hash for an unknown name, and for a guest, which has no
    // password), so all of them take the same time and get the same 401.
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

  router.get('/auth/options', (_req, res) => {
    res.json({ guests: deps.guests.allowed } satisfies AuthOptionsResponse)
  })

  /**
   * A guest: a name only, for the room of the link it opened, which it joins here. Limited like
   * register (no scrypt to pay for, but each one is a row and a name held for `GUEST_TTL_HOURS`).
   * The name is unique among accounts and live guests: names identify people in a room, and
   * mentions use them.
   */
  router.post('/auth/guest', guestsAllowed, deps.limitAttempts, async (req, res) => {
    const { username, roomId } = parseInput(GuestRequest, req.body)
    if (!RoomIdParam.safeParse(roomId).success || !(await deps.rooms.find(roomId))) throw HttpError.roomNotFound()
    const guest = await users.createGuest(username, roomId, deps.guests.ttlSeconds)
    // The room was there a moment ago: a name taken is far likelier than a delete in between.
    if (!guest) throw new HttpError(409, 'username_taken', 'that name is taken')
    const user = { id: guest.id, username: guest.username, guest: true } as const
    res.status(201).json({ token: tokens.signGuestToken(guest), user } satisfies AuthResponse)
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
