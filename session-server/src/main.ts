/** The process: configuration, registration with the backend's fleet, listen, graceful drain on signals. */
import { createServer } from 'node:http'
import { HttpBackendApi } from './backendApi/HttpBackendApi.js'
import { loadConfig, type Config } from './config.js'
import { createSessionServer } from './createSessionServer.js'
import { FleetRegistrationRejected } from './fleet/FleetRegistration.js'
import { createLogger } from './logger.js'
import { SessionMetrics } from './metrics/SessionMetrics.js'

let config: Config
try {
  config = loadConfig(process.env)
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error))
  process.exit(1)
}

const logger = createLogger(config)
const backendApi = new HttpBackendApi(config.BACKEND_URL, config.SERVICE_TOKEN)
const server = createServer()
const sessionServer = createSessionServer({
  config,
  logger,
  server,
  backendApi,
  fleet: backendApi,
  metrics: new SessionMetrics({ processMetrics: true }),
})
// A (re)started server holds no rooms: the backend must forget any placements it still had here
// before clients are routed to us, so register (retrying until the backend answers) before listening.
// Except under Hathora, which kills a process that has not bound its port within 100 s: there the
// process's host:port is new (no stale placement can point at it), so it binds first and registers after.
const bindFirst = config.HATHORA_PROCESS_ID !== undefined
async function register(): Promise<void> {
  try {
    await sessionServer.registration?.start()
  } catch (error) {
    if (!(error instanceof FleetRegistrationRejected)) throw error
    logger.fatal({ detail: error.message }, 'the backend refused registration (check SERVICE_TOKEN)')
    process.exit(1)
  }
  // Before the first client: the backend answers now. Should it not, the first handshake asks again.
  await sessionServer.loadRoomTokenKey()
  sessionServer.markRegistered()
}
if (!bindFirst) await register()
server.on('error', (error) => {
  logger.fatal({ err: error }, 'HTTP server error')
  process.exit(1)
})
server.listen(config.PORT, config.BIND_ADDRESS, () => {
  logger.info({ address: server.address(), publicHost: config.PUBLIC_HOST }, 'session server listening')
  if (bindFirst) void register()
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
