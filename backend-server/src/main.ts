import { ConfigError, loadConfig } from './config.js'
import { startBackend } from './backend.js'
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
const backend = await startBackend(config, logger)
const url = await backend.listen()
logger.info({ url, scheduler: config.scheduler, storage: config.databaseUrl ? 'postgres' : 'pglite' }, 'backend listening')

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
