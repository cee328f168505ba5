import type { Request, RequestHandler } from 'express'
import type { User } from '@scalable-chat/backend-contract'
import { HttpError } from '../http/HttpError.js'
import { AuthFailureReason, type BackendMetrics } from '../metrics/BackendMetrics.js'
import type { TokenService } from './TokenService.js'

/** The authenticated user, set by `requireUser` on `res.locals`. */
export interface UserLocals {
  /** `guest: true` for a guest. */
  user: User
  /** A guest's one room (see `guestAccess.ts`); undefined for an account. */
  guestRoomId: string | undefined
  /** A guest's end of access, seconds since the epoch; undefined for an account. */
  guestExpiresAt: number | undefined
}

export function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization')
  const match = header?.match(/^Bearer\s+(\S+)$/i)
  return match?.[1]
}

/**
 * 401 `unauthorized` unless the request carries a valid user token (not a room or service token);
 * a guest's token past its expiry is refused like any expired token.
 */
export function requireUser(tokens: TokenService, metrics: BackendMetrics): RequestHandler {
  return (req, res, next) => {
    const token = bearerToken(req)
    const holder = token === undefined ? undefined : tokens.verifyUserToken(token)
    if (!holder) {
      metrics.authFailures.inc({ reason: AuthFailureReason.INVALID_TOKEN })
      throw HttpError.unauthorized()
    }
    Object.assign(res.locals as UserLocals, holder satisfies UserLocals)
    next()
  }
}
