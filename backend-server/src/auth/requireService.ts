import type { RequestHandler } from 'express'
import { HttpError } from '../http/HttpError.js'
import { bearerToken } from './requireUser.js'
import { secretMatcher } from '@scalable-chat/backend-contract/internal'

/** 401 unless the request carries the session servers' `SERVICE_TOKEN` (compared in constant time). */
export function requireService(serviceToken: string): RequestHandler {
  const isServiceToken = secretMatcher(serviceToken)
  return (req, _res, next) => {
    if (!isServiceToken(bearerToken(req))) {
      throw HttpError.unauthorized('missing or invalid service token')
    }
    next()
  }
}
