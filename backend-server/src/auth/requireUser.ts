import type { Request, RequestHandler } from 'express'
import type { User } from '@scalable-chat/backend-contract'
import { HttpError } from '../http/HttpError.js'
import { AuthFailureReason, type BackendMetrics } from '../metrics/BackendMetrics.js'
import type { TokenService } from './TokenService.js'

/** The authenticated user, set by `requireUser` on `res.locals`. */
export interface UserLocals {
  user: User
}

export function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization')
  const match = header?.match(/^Bearer\s+(\S+)$/i)
  return match?.[1]
}

/** 401 `unauthorized` unless the request carries a valid user token (not a room or service token). */
export function requireUser(tokens: TokenService, metrics: BackendMetrics): RequestHandler {
  return (req, res, next) => {
    const token = bearerToken(req)
    const user = token === undefined ? undefined : tokens.verifyUserToken(token)
    if (!user) {
      metrics.authFailures.inc({ reason: AuthFailureReason.INVALID_TOKEN })
      throw HttpError.unauthorized()
    }
    ;(res.locals as UserLocals).user = user
    next()
  }
}
