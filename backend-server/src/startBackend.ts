import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Express } from 'express'
import type { Logger } from 'pino'
import { createApp } from './app.js'
import type { BackendConfig } from './config.js'
import { BackendMetrics } from './metrics/BackendMetrics.js'
import type { Scheduler } from './scheduler/index.js'
import type { Database } from './storage/Database.js'
import { migrate } from './storage/migrate.js'
import { openDatabase } from './storage/openDatabase.js'

export interface RunningBackend {
  app: Express
  db: Database
  scheduler: Scheduler
  /** Listens on `config.port` / `config.bindAddress`; resolves with the URL. */
  listen(): Promise<string>
  /** Stops accepting, waits for open requests, stops the scheduler, closes the database. */
  close(): Promise<void>
}

/**
 * Everything `main.ts` and the test helper share: open and migrate the database, build the app
 * (`createApp`), start its Scheduler (first health-check round included). `db` may be passed in
 * (tests give each backend its own schema); otherwise it is opened from the config and closed on
 * `close()`.
 */
export async function startBackend(
  config: BackendConfig,
  logger: Logger,
  db?: Database,
  /** Process metrics (CPU, memory, event loop): once per process, so `main.ts` only. */
  options: { processMetrics?: boolean } = {},
): Promise<RunningBackend> {
  const database = db ?? (await openDatabase(config))
  try {
    await migrate(database, logger)
  } catch (error) {
    await database.close()
    throw error
  }
  const metrics = new BackendMetrics({ processMetrics: options.processMetrics ?? false })
  const { app, scheduler } = createApp({ config, db: database, logger, metrics })
  await scheduler.start()
  let server: Server | undefined

  return {
    app,
    db: database,
    scheduler,
    listen() {
      server = createServer(app)
      const listening = server
      return new Promise((resolve, reject) => {
        listening.once('error', reject)
        listening.listen(config.port, config.bindAddress, () => {
          const { address, port } = listening.address() as AddressInfo
          resolve(`http://${address.includes(':') ? `[${address}]` : address}:${port}`)
        })
      })
    },
    async close() {
      if (server) {
        const closing = new Promise<void>((resolve) => server!.close(() => resolve()))
        // Keep-alive connections would hold close() open until they time out.
        server.closeIdleConnections()
        await closing
      }
      await scheduler.stop()
      await database.close()
    },
  }
}
