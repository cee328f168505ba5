import type { ErrorRequestHandler, RequestHandler, Response } from 'express'
import type { ErrorResponse } from '@scalable-chat/backend-contract'
import { DatabaseUnavailableError } from '../storage/Database.js'
import { HttpError } from './HttpError.js'
import { redactUrl } from './redactUrl.js'

/** What body-parser attaches to the errors it throws; `type` tells malformed JSON from too large. */
interface BodyParserError {
  status?: number
  type?: string
}

export function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } } satisfies ErrorResponse)
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendError(res, 404, 'not_found', `no route for ${req.method} ${req.path}`)
}

/**
 * The one error handler: expected errors (4xx) go out as they are; anything else is logged with
 * the request and hidden behind `internal_error`, so no stack trace or SQL reaches a client.
 */
export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  if (error instanceof HttpError) {
    sendError(res, error.status, error.code, error.message)
    return
  }
  if (error instanceof DatabaseUnavailableError) {
    req.log.warn({ err: error, method: req.method, url: redactUrl(req.originalUrl) }, 'database unavailable')
    res.set('retry-after', '1')
    sendError(res, 503, 'database_unavailable', 'the service is busy; try again in a moment')
    return
  }
  const parserError = error as BodyParserError
  if (parserError.type === 'entity.parse.failed') {
    sendError(res, 400, 'invalid_json', 'the request body is not valid JSON')
    return
  }
  if (parserError.type === 'entity.too.large') {
    // The rest of the body is not wanted: closing the connection stops the upload.
    res.set('Connection', 'close')
    sendError(res, 413, 'payload_too_large', 'the request body is too large')
    return
  }
  if (parserError.status !== undefined && parserError.status >= 400 && parserError.status < 500) {
    sendError(res, parserError.status, 'invalid_request', 'the request could not be read')
    return
  }
  req.log.error({ err: error, method: req.method, url: redactUrl(req.originalUrl) }, 'request failed')
  if (res.headersSent) {
    res.destroy()
    return
  }
  sendError(res, 500, 'internal_error', 'something went wrong on our side')
}
