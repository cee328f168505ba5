import type { Express, Request, RequestHandler, Response } from 'express'
import type { Level, Logger } from 'pino'
import type { BackendMetrics } from '../metrics/BackendMetrics.js'
import { redactUrl } from './redactUrl.js'
import { requestIdFrom } from '@scalable-chat/backend-contract/internal'

declare global {
  // Express's own extension point for what middleware adds to a request.
  namespace Express {
    interface Request {
      /** An incoming `X-Request-Id` (a proxy's) when it looks like one, else a fresh uuid. */
      id: string
      /** The app's logger bound to `reqId`: every line logged while serving this request carries it. */
      readonly log: Logger
    }
  }
}

/** Probes that would otherwise write a line every few seconds per load balancer. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics'])
/**
 * Session servers' calls: a group commit per message batch and a heartbeat every few seconds per
 * server, far too many for a line each. Their failures are still logged (5xx at `warn`).
 */
const QUIET_PREFIX = '/internal/'
/**
 * Routes whose successful answers log at `debug`: joins (`GET /api/rooms/:roomId`), which every
 * reconnect is, thousands a second in a reconnect storm. A line for each cost a first join ~8 % of
 * its CPU (joins benchmark, A/B), and says nothing `http_request_duration_seconds` (by route and
 * status) does not: it names no user. A join that fails (4xx, 5xx, aborted) is logged as before.
 */
const QUIET_WHEN_OK_ROUTES = new Set(['GET /api/rooms/:roomId'])

/**
 * Request ids, one JSON log line per request when it ends, and `http_request_duration_seconds`.
 * The id honours an incoming `X-Request-Id` and is echoed back in the response header, so a
 * user's report and a proxy's log line can be matched to ours. Only method, URL (query tokens
 * redacted), status and duration are logged: never headers or bodies, which carry tokens and
 * passwords.
 *
 * Not pino-http: it builds two child loggers per request and serializes the request into one of
 * them up front, even when the level drops the line; that was 9 % of a join's CPU in the joins
 * benchmark. Here a request costs one listener, and `req.log` is made only when something logs.
 */
export function installRequestLogging(app: Express, logger: Logger, metrics: BackendMetrics): void {
  const children = new WeakMap<Request, Logger>()
  Object.defineProperty(app.request, 'log', {
    get(this: Request): Logger {
      // Only a logger with the id is kept: one asked for before the id is set gets none.
      if (this.id === undefined) return logger
      let child = children.get(this)
      if (!child) children.set(this, (child = logger.child({ reqId: this.id })))
      return child
    },
  })
  app.use((req, res, next) => {
    req.id = requestIdFrom(req.headers['x-request-id'])
    res.setHeader('x-request-id', req.id)
    const end = metrics.httpDuration.startTimer({ method: req.method })
    // `close` comes after `finish`, and also when the client goes away before the response ends.
    res.once('close', () => {
      const finished = res.writableFinished
      const status = finished ? String(res.statusCode) : 'aborted'
      const route = routeLabel(req, res)
      const seconds = end({ route, status })
      const level = levelFor(req, res, finished, route)
      if (!logger.isLevelEnabled(level)) return
      logger[level](
        {
          req: { id: req.id, method: req.method, url: redactUrl(req.originalUrl) },
          res: { status: finished ? res.statusCode : 'aborted' },
          responseTime: Math.round(seconds * 1000),
        },
        'request',
      )
    })
    next()
  })
}

function levelFor(req: Request, res: Response, finished: boolean, route: string): Level {
  if (finished && res.statusCode >= 500) return 'warn'
  if (finished && res.statusCode < 300 && QUIET_WHEN_OK_ROUTES.has(`${req.method} ${route}`)) return 'debug'
  // A string slice, not a URL parse: this runs for every request.
  const url = req.originalUrl
  if (url.startsWith(QUIET_PREFIX)) return 'debug'
  const query = url.indexOf('?')
  return QUIET_PATHS.has(query === -1 ? url : url.slice(0, query)) ? 'debug' : 'info'
}

/**
 * Put before each mounted router (`app.use('/api/rooms', recordMountPath, router)`): when a
 * handler throws, Express resets `req.baseUrl` on the way out of the router but keeps
 * `req.route`, so without this a failed join would be labelled `/:roomId`.
 */
export const recordMountPath: RequestHandler = (req, res, next) => {
  ;(res.locals as MountLocals).mountPath = req.baseUrl
  next()
}

interface MountLocals {
  mountPath?: string
}

/** The matched route pattern, or `unmatched`: a bounded label set whatever URLs clients send. */
function routeLabel(req: Request, res: Response): string {
  const route = (req as Request & { route?: { path?: unknown } }).route
  if (typeof route?.path !== 'string') return 'unmatched'
  return `${(res.locals as MountLocals).mountPath ?? req.baseUrl}${route.path}`
}
