import cors from 'cors'
import express, { type Express } from 'express'
import helmet from 'helmet'
import type { Logger } from 'pino'
import type { BackendConfig } from './config.js'
import { requireUser } from './auth/requireUser.js'
import { TokenService } from './auth/TokenService.js'
import { errorHandler, notFoundHandler } from './http/errorHandler.js'
import { rateLimit } from './http/rateLimit.js'
import { requestLogger } from './http/requestLogger.js'
import { authRoutes } from './routes/authRoutes.js'
import { healthRoutes } from './routes/healthRoutes.js'
import { internalRoutes } from './routes/internalRoutes.js'
import { roomRoutes } from './routes/roomRoutes.js'
import type { Scheduler } from './scheduler/index.js'
import { SessionServerClient } from './SessionServerClient.js'
import type { Database } from './storage/Database.js'
import { RoomStore } from './storage/RoomStore.js'
import { UserStore } from './storage/UserStore.js'

/**
 * A group commit may carry up to 500 messages of up to 10,000 characters (internalContract.ts),
 * far beyond what a browser ever needs to send (`JSON_BODY_LIMIT`).
 */
const INTERNAL_BODY_LIMIT = '8mb'

export interface AppDeps {
  config: BackendConfig
  /** Migrated already. */
  db: Database
  scheduler: Scheduler
  logger: Logger
}

/**
 * The Express app, without listening: tests mount it with supertest or listen on port 0, and
 * `main.ts` owns the process (config, listen, signals).
 *
 * @example
 * const app = createApp({ config, db, scheduler, logger })
 * app.listen(config.port, config.bindAddress)
 */
export function createApp({ config, db, scheduler, logger }: AppDeps): Express {
  const tokens = new TokenService(config.jwtSecret, config)
  const users = new UserStore(db)
  const rooms = new RoomStore(db)
  const authenticate = requireUser(tokens)

  const app = express()
  app.disable('x-powered-by')
  // `?a=1&a=2` stays a string or an array, never a nested object: the schemas expect flat queries.
  app.set('query parser', 'simple')
  app.use(requestLogger(logger))
  app.use(helmet())
  app.use(cors({ origin: config.corsOrigins }))

  app.use(healthRoutes(db))
  app.use('/api', express.json({ limit: config.jsonBodyLimit }))
  app.use(
    '/api',
    authRoutes({ users, tokens, requireUser: authenticate, limitAttempts: rateLimit(config.authRateLimitPerMinute) }),
  )
  app.use(
    '/api/rooms',
    roomRoutes({
      db,
      rooms,
      scheduler,
      tokens,
      sessionServers: new SessionServerClient(config.serviceToken, logger),
      requireUser: authenticate,
    }),
  )
  app.use('/internal', express.json({ limit: INTERNAL_BODY_LIMIT }))
  app.use('/internal', internalRoutes({ db, rooms, scheduler, serviceToken: config.serviceToken }))

  app.use(notFoundHandler)
  app.use(errorHandler(logger))
  return app
}
