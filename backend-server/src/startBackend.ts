import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Express } from 'express'
import type { Logger } from 'pino'
import { createApp } from './app.js'
import type { BackendConfig } from './config.js'
import { BackendMetrics } from './metrics/BackendMetrics.js'
import type { GuestSweeper } from './auth/GuestSweeper.js'
import type { Scheduler } from './scheduler/index.js'
import type { Database } from './storage/Database.js'
import { migrate } from './storage/migrate.js'
import { openDatabase } from './storage/openDatabase.js'

export interface RunningBackend {
  app: Express
  /** `/internal` on its own port (`INTERNAL_PORT`), or undefined when `app` serves it. */
  internalApp: Express | undefined
  db: Database
  scheduler: Scheduler
  guestSweeper: GuestSweeper
  /**
   * Listens on `config.port` (and `config.internalPort`, when set) at `config.bindAddress`;
   * resolves with the URLs: `internalUrl` is where session servers reach `/internal`.
   */
  listen(): Promise<BackendUrls>
  /** Stops accepting, waits for open requests, stops the guest sweep and the scheduler, closes the database. */
  close(): Promise<void>
}

export interface BackendUrls {
  /** `http://<address>:<port>`: `/api`, the probes, `/metrics`. */
  url: string
  /** Where `/internal` is served: `url` itself unless `INTERNAL_PORT` is set. */
  internalUrl: string
}

/**
 * Everything `main.ts` and the test helper share: open and migrate the database, build the app
 * (`createApp`), start its Scheduler (first health-check round included) and guest sweep. `db` may be passed in
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
  const { app, internalApp, scheduler, guestSweeper } = createApp({ config, db: database, logger, metrics })
  await scheduler.start()
  guestSweeper.start()
  const servers: Server[] = []

  async function serve(handler: Express, port: number): Promise<string> {
    const server = createServer(handler)
    servers.push(server)
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, config.bindAddress, resolve)
    })
    const { address, port: bound } = server.address() as AddressInfo
    return `http://${address.includes(':') ? `[${address}]` : address}:${bound}`
  }

  return {
    app,
    internalApp,
    db: database,
    scheduler,
    guestSweeper,
    async listen() {
      const url = await serve(app, config.port)
      const internalUrl = internalApp && config.internalPort !== undefined ? await serve(internalApp, config.internalPort) : url
      return { url, internalUrl }
    },
    async close() {
      await Promise.all(
        servers.map((server) => {
          const closing = new Promise<void>((resolve) => server.close(() => resolve()))
          // Keep-alive connections would hold close() open until they time out.
          server.closeIdleConnections()
          return closing
        }),
      )
      await guestSweeper.stop()
      await scheduler.stop()
      await database.close()
    },
  }
}
