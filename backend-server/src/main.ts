import { ConfigError, loadConfig } from './config.js'
import { startBackend, type BackendUrls, type RunningBackend } from './startBackend.js'
import { createLogger } from './logger.js'

let config
try {
  config = loadConfig(process.env)
} catch (error) {
  if (!(error instanceof ConfigError)) throw error
  console.error(error.message)
  process.exit(1)
}

const logger = createLogger(config)
let backend: RunningBackend
let urls: BackendUrls
try {
  backend = await startBackend(config, logger, undefined, { processMetrics: true })
  urls = await backend.listen()
} catch (error) {
  // An unreachable database or a taken port: say so once and stop, rather than half start.
  logger.fatal({ err: error }, 'backend failed to start')
  console.error(`backend failed to start: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
}
logger.info({ url: urls.url, internalUrl: urls.internalUrl, scheduler: config.scheduler, storage: config.databaseUrl ? 'postgres' : 'pglite' }, 'backend listening')
if (config.roomTokenKeyGenerated) {
  logger.warn('no ROOM_TOKEN_PRIVATE_KEY: made one for this process; room tokens handed out stop working when it restarts')
}

let stopping = false
async function shutdown(signal: string) {
  if (stopping) return
  stopping = true
  logger.info({ signal }, 'shutting down')
  try {
    await backend.close()
    process.exit(0)
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed')
    process.exit(1)
  }
}
process.on('SIGINT', () => void shutdown('SIGINT'))
process.on('SIGTERM', () => void shutdown('SIGTERM'))
