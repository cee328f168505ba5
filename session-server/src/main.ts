/** The process: configuration, registration with the backend, listen, graceful drain on signals. */
import { createServer } from 'node:http'
import { HttpBackend } from './backend/HttpBackend.js'
import { loadConfig, type Config } from './config.js'
import { createSessionServer } from './createSessionServer.js'
import { createLogger, type Logger } from './logger.js'
import { SessionMetrics } from './metrics/SessionMetrics.js'

const REGISTER_BASE_DELAY_MS = 500
const REGISTER_MAX_DELAY_MS = 10_000

let config: Config
try {
  config = loadConfig(process.env)
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error))
  process.exit(1)
}

const logger = createLogger(config)
const backend = new HttpBackend(config.BACKEND_URL, config.SERVICE_TOKEN)
await registerWithBackend(config, logger)

const server = createServer()
const sessionServer = createSessionServer({
  config,
  logger,
  server,
  backend,
  registered: true,
  metrics: new SessionMetrics({ processMetrics: true }),
})
server.on('error', (error) => {
  logger.fatal({ err: error }, 'HTTP server error')
  process.exit(1)
})
server.listen(config.PORT, config.BIND_ADDRESS, () => {
  logger.info({ address: server.address(), publicHost: config.PUBLIC_HOST }, 'session server listening')
})

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'draining')
    void sessionServer
      .drain()
      .then(() => new Promise<void>((resolve) => server.close(() => resolve())))
      .then(
        () => {
          logger.info('stopped')
          process.exit(0)
        },
        (error: unknown) => {
          logger.error({ err: error }, 'drain failed')
          process.exit(1)
        },
      )
    // Keep-alive HTTP connections would hold `server.close` open; none carries state worth waiting for.
    server.closeIdleConnections()
  })
}

/**
 * A (re)started server holds no rooms: the backend must forget any placements it still had here
 * before clients are routed to us. Retries until the backend answers, which also lets the whole
 * stack start in any order.
 */
async function registerWithBackend(cfg: Config, log: Logger): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const result = await backend.register(cfg.PUBLIC_HOST)
    if (result.ok) {
      log.info({ host: cfg.PUBLIC_HOST, backend: cfg.BACKEND_URL }, 'registered with the backend')
      return
    }
    if (result.reason === 'rejected') {
      log.fatal({ detail: result.detail }, 'the backend refused registration (check SERVICE_TOKEN)')
      process.exit(1)
    }
    const delayMs = Math.min(REGISTER_MAX_DELAY_MS, REGISTER_BASE_DELAY_MS * 2 ** (attempt - 1))
    log.warn({ backend: cfg.BACKEND_URL, attempt, retryInMs: delayMs, reason: result.reason }, 'waiting for the backend')
    await new Promise((resolve) => setTimeout(resolve, delayMs))
  }
}
