import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Request, RequestHandler } from 'express'
import type { Logger } from 'pino'
import { pinoHttp } from 'pino-http'
import type { BackendMetrics } from '../metrics/BackendMetrics.js'
import { redactUrl } from './redactUrl.js'
import { requestIdFrom } from './requestId.js'
/** Probes that would otherwise write a line every few seconds per load balancer. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics'])

/**
 * One JSON line per request when it finishes (pino-http), with a request id that honours an
 * incoming `X-Request-Id` (a proxy's) and is echoed back in the response header, so a user's
 * report and a proxy's log line can be matched to ours. `req.log` carries the id for every line
 * logged during the request. Only method, URL (query tokens redacted) and status are logged:
 * never headers or bodies, which carry tokens and passwords. Also times the request for
 * `http_request_duration_seconds`.
 */
export function requestLogger(logger: Logger, metrics: BackendMetrics): RequestHandler {
  const log = pinoHttp({
    logger,
    genReqId(req, res) {
      const id = requestIdFrom(req.headers['x-request-id'])
      res.setHeader('x-request-id', id)
      return id
    },
    customLogLevel(req, res, error) {
      if (error || res.statusCode >= 500) return 'warn'
      // Runs for every request even when the level is off: a string slice, not a URL parse.
      const url = req.url ?? '/'
      const query = url.indexOf('?')
      return QUIET_PATHS.has(query === -1 ? url : url.slice(0, query)) ? 'debug' : 'info'
    },
    customSuccessMessage: () => 'request',
    customErrorMessage: () => 'request',
    serializers: {
      // Raw requests (wrapSerializers: false): `originalUrl`, since routers strip their prefix from `url`.
      req: (req: { id: unknown; method: string; url: string; originalUrl?: string }) => ({
        id: req.id,
        method: req.method,
        url: redactUrl(req.originalUrl ?? req.url),
      }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
    wrapSerializers: false,
  })
  return (req, res, next) => {
    const end = metrics.httpDuration.startTimer({ method: req.method })
    res.on('finish', () => end({ route: routeLabel(req), status: String(res.statusCode) }))
    log(req as IncomingMessage, res as ServerResponse, next)
  }
}

/** The matched route pattern, or `unmatched`: a bounded label set whatever URLs clients send. */
function routeLabel(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route
  return typeof route?.path === 'string' ? `${req.baseUrl}${route.path}` : 'unmatched'
}
