import { publicKeyPem, roomTokenKeyId } from '@scalable-chat/backend-contract/internal'
import cors from 'cors'
import express, { type Express } from 'express'
import type { Logger } from 'pino'
import type { BackendConfig } from './config.js'
import { GuestSweeper } from './auth/GuestSweeper.js'
import { LoginThrottle } from './auth/LoginThrottle.js'
import { PasswordHasher } from './auth/passwords.js'
import { requireUser } from './auth/requireUser.js'
import { TokenService } from './auth/TokenService.js'
import { errorHandler, notFoundHandler } from './http/errorHandler.js'
import { rateLimit } from './http/rateLimit.js'
import { installRequestLogging, recordMountPath } from './http/requestLogger.js'
import { securityHeaders } from './http/securityHeaders.js'
import { authRoutes } from './routes/authRoutes.js'
import { healthRoutes } from './routes/healthRoutes.js'
import { internalRoutes } from './routes/internalRoutes.js'
import { metricsRoutes } from './routes/metricsRoutes.js'
import { roomRoutes } from './routes/roomRoutes.js'
import { BackendMetrics } from './metrics/BackendMetrics.js'
import { createScheduler, type Scheduler } from './scheduler/index.js'
import { SessionServerClient } from './SessionServerClient.js'
import { createStores } from './storage/createStores.js'
import type { Database } from './storage/Database.js'
import { RoomCache } from './storage/RoomCache.js'

export interface AppDeps {
  config: BackendConfig
  /** Migrated already. */
  db: Database
  logger: Logger
  /** Defaults to a fresh registry of its own. */
  metrics?: BackendMetrics
}

export interface BackendApp {
  /** The Express app, not listening: `/api`, probes, `/metrics`, and `/internal` unless `internalApp` has it. */
  app: Express
  /** With `INTERNAL_PORT`: the app of that port, `/internal` and the probes; otherwise undefined. */
  internalApp: Express | undefined
  /** The app's Scheduler; whoever runs the app starts and stops it. */
  scheduler: Scheduler
  /** Deletes expired guests; whoever runs the app starts and stops it, as the Scheduler. */
  guestSweeper: GuestSweeper
}

/**
 * The backend's composition root: builds every store once, the Scheduler (which alone reads and
 * writes placements) and the Express app that routes to them, without listening. Tests mount the
 * app with supertest or listen on port 0; `startBackend` runs it for `main.ts`, which owns the
 * process (config, listen, signals).
 *
 * @example
 * const { app, scheduler, guestSweeper } = createApp({ config, db, logger })
 * await scheduler.start()
 * guestSweeper.start()
 * app.listen(config.port, config.bindAddress)
 */
export function createApp({ config, db, logger, metrics = new BackendMetrics() }: AppDeps): BackendApp {
  const stores = createStores(db)
  const { users, rooms, messages, fleet } = stores
  const scheduler = createScheduler(config, { placements: stores.placements, fleet, logger })
  const tokens = new TokenService(config)
  const authenticate = requireUser(tokens, metrics)
  const sessionServers = new SessionServerClient(config.serviceToken, logger, (host, path) => fleet.httpUrl(host, path))
  const internal = internalRoutes({
    rooms,
    messages,
    boards: stores.boards,
    fleet,
    scheduler,
    serviceToken: config.serviceToken,
    roomTokenKey: { keyId: roomTokenKeyId(config.roomTokenPrivateKey), publicKey: publicKeyPem(config.roomTokenPrivateKey) },
    metrics,
  })

  const app = bareApp(config, logger, metrics)
  let internalApp: Express | undefined
  if (config.internalPort === undefined) {
    // Service-to-service calls (session servers' loads and group commits) come first and skip the
    // browser-facing headers: no browser reads them, and a commit is on every message's path.
    app.use('/internal', recordMountPath, internal)
  } else {
    internalApp = bareApp(config, logger, metrics)
    internalApp.use('/internal', recordMountPath, internal)
    internalApp.use(healthRoutes(db))
    internalApp.use(notFoundHandler)
    internalApp.use(errorHandler)
  }
  app.use(securityHeaders())
  app.use(cors({ origin: config.corsOrigins }))
  app.use('/api', express.json({ limit: config.jsonBodyLimit }))
  // Busiest first: every join and reconnect is a `GET /api/rooms/:roomId`.
  app.use(
    '/api/rooms',
    recordMountPath,
    roomRoutes({
      rooms,
      // Joins are the hot path (every reconnect is one): they read rooms and record memberships
      // through this cache; everything else reads storage.
      joinCache: new RoomCache(rooms),
      messages,
      scheduler,
      tokens,
      sessionServers,
      requireUser: authenticate,
      metrics,
      roomsPerUserPerHour: config.roomsPerUserPerHour,
      pendingPlacementGraceMs: config.pendingPlacementGraceMs,
    }),
  )
  app.use(
    '/api',
    recordMountPath,
    authRoutes({
      users,
      rooms,
      tokens,
      requireUser: authenticate,
      limitAttempts: rateLimit(config.authRateLimitPerMinute, metrics),
      loginThrottle: new LoginThrottle({
        maxFailuresPerUsernameAndIp: config.loginMaxFailuresPerUsernameAndIp,
        maxFailuresPerIp: config.loginMaxFailuresPerIp,
        windowSeconds: config.loginFailureWindowSeconds,
      }),
      passwords: new PasswordHasher(config.maxConcurrentPasswordHashes),
      metrics,
      guests: { allowed: config.allowGuests, ttlSeconds: config.guestTtlSeconds },
    }),
  )
  app.use(healthRoutes(db))
  app.use(metricsRoutes(metrics, config.metricsToken))

  app.use(notFoundHandler)
  app.use(errorHandler)
  const guestSweeper = new GuestSweeper({ users, scheduler, sessionServers, intervalMs: config.guestSweepIntervalMs, logger })
  return { app, internalApp, scheduler, guestSweeper }
}

/** An Express app with the settings and request logging every backend app has, and no routes. */
function bareApp(config: BackendConfig, logger: Logger, metrics: BackendMetrics): Express {
  const app = express()
  app.disable('x-powered-by')
  // Every API answer is fresh (a join mints a new token): hashing each body for an ETag only costs.
  app.set('etag', false)
  // `?a=1&a=2` stays a string or an array, never a nested object: the schemas expect flat queries.
  app.set('query parser', 'simple')
  // Behind a load balancer `req.ip` must be the client's, or every client shares one rate limit.
  app.set('trust proxy', config.trustProxy)
  installRequestLogging(app, logger, metrics)
  return app
}
