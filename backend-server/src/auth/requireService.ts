import type { RequestHandler } from 'express'
import { secretMatcher } from '@scalable-chat/backend-contract/internal'
import { HttpError } from '../http/HttpError.js'
import { redactUrl } from '../http/redactUrl.js'
import { AuthFailureReason, type BackendMetrics } from '../metrics/BackendMetrics.js'
import { bearerToken } from './requireUser.js'

/**
 * 401 unless the request carries the session servers' `SERVICE_TOKEN` (compared in constant time).
 * It runs before any body is read, so a stranger's request costs no parsing, and its connection is
 * closed with the answer, so an unread upload stops there. Only session servers hold the token: a
 * refusal is either a misconfigured server or someone probing, so it is logged at `warn` and
 * counted (`auth_failures_total{reason="invalid_service_token"}`).
 */
export function requireService(serviceToken: string, metrics: BackendMetrics): RequestHandler {
  const isServiceToken = secretMatcher(serviceToken)
  return (req, res, next) => {
    if (!isServiceToken(bearerToken(req))) {
      metrics.authFailures.inc({ reason: AuthFailureReason.INVALID_SERVICE_TOKEN })
      req.log.warn({ ip: req.ip, method: req.method, url: redactUrl(req.originalUrl) }, 'refused an internal request without the service token')
      res.set('Connection', 'close')
      throw HttpError.unauthorized('missing or invalid service token')
    }
    next()
  }
}
