import { createHash, timingSafeEqual } from 'node:crypto'
import type { RequestHandler } from 'express'
import { HttpError } from '../http/HttpError.js'
import { bearerToken } from './requireUser.js'

const digest = (value: string) => createHash('sha256').update(value).digest()

/**
 * 401 unless the request carries the session servers' `SERVICE_TOKEN`. Compared as SHA-256
 * digests with `timingSafeEqual`: equal lengths for any input, so neither the content nor the
 * length of the token leaks through timing.
 */
export function requireService(serviceToken: string): RequestHandler {
  const expected = digest(serviceToken)
  return (req, _res, next) => {
    const token = bearerToken(req)
    if (token === undefined || !timingSafeEqual(digest(token), expected)) {
      throw HttpError.unauthorized('missing or invalid service token')
    }
    next()
  }
}
