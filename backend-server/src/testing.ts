/**
 * Test helper for this and other workspaces (`@scalable-chat/backend-server/testing`): a real
 * backend on 127.0.0.1, port 0, with its own empty database.
 *
 * Storage: PGlite in memory by default, PGlite in `dataDir` when given (to test restarts), or
 * Postgres when `databaseUrl` (or `TEST_DATABASE_URL`) is set — then each backend gets a fresh
 * schema, dropped on close, so parallel test files never see each other's rows.
 *
 * @example
 * const backend = await startTestBackend({ sessionServerHosts: [`127.0.0.1:${port}`] })
 * await fetch(`${backend.url}/api/register`, { method: 'POST', ... })
 * await backend.close()
 */
import { randomBytes } from 'node:crypto'
import { connect } from 'node:net'
import pg from 'pg'
import type { Express } from 'express'
import type { DestinationStream } from 'pino'
import { startBackend } from './backend.js'
import { loadConfig, type BackendConfig } from './config.js'
import { createLogger } from './logger.js'
import type { Scheduler } from './scheduler/index.js'
import type { Database } from './storage/Database.js'
import { migrate } from './storage/migrate.js'
import { PGliteDatabase } from './storage/PGliteDatabase.js'
import { PostgresDatabase } from './storage/PostgresDatabase.js'

export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789'
export const TEST_SERVICE_TOKEN = 'test-service-token-0123456789abcdef01234567'

export interface TestBackendOptions {
  sessionServerHosts: string[]
  jwtSecret?: string
  serviceToken?: string
  /** PGlite on disk in this directory (default: in memory). */
  dataDir?: string
  /** Postgres instead (default: `TEST_DATABASE_URL` if set and no `dataDir`, else PGlite). */
  databaseUrl?: string
  /** Postgres only: use this schema (created if missing) instead of a fresh random one. */
  schema?: string
  /** Keep the data on close (Postgres: do not drop the schema), so a second backend can reopen it. */
  keepData?: boolean
  /**
   * Share this database (another test backend's `db`) instead of opening one; this backend does
   * not close it. How two replicas run on one PGlite, which is a single in-process connection.
   */
  database?: Database
  /** More environment for `loadConfig`, e.g. `HATHORA_*` to run the HathoraScheduler against a fake. */
  env?: Record<string, string>
  overrides?: Partial<BackendConfig>
  /** Receives the backend's JSON log lines (at `TEST_LOG_LEVEL`, else `info`) instead of nowhere. */
  logStream?: DestinationStream
}

export interface TestBackend {
  /** `http://127.0.0.1:<port>` */
  url: string
  config: BackendConfig
  app: Express
  /** The backend's database, for assertions and for arranging rows a test needs. */
  db: Database
  scheduler: Scheduler
  close(): Promise<void>
}

export async function startTestBackend(options: TestBackendOptions): Promise<TestBackend> {
  const config: BackendConfig = {
    ...loadConfig({
      JWT_SECRET: options.jwtSecret ?? TEST_JWT_SECRET,
      SERVICE_TOKEN: options.serviceToken ?? TEST_SERVICE_TOKEN,
      // None for SCHEDULER=fleet, whose servers register themselves, and for hathora.
      ...(options.sessionServerHosts.length > 0 ? { SESSION_SERVER_HOST: options.sessionServerHosts.join(',') } : {}),
      PORT: '0',
      BIND_ADDRESS: '127.0.0.1',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? (options.logStream ? 'info' : 'silent'),
      // Every test registers its users from 127.0.0.1; the limits have their own tests.
      AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
      LOGIN_MAX_FAILURES_PER_IP: '1000000',
      ...options.env,
    }),
    ...options.overrides,
  }
  const { db, dispose } = options.database
    ? { db: unclosable(options.database), dispose: async () => {} }
    : await openTestDatabase(options)
  const backend = await startBackend(config, createLogger(config, options.logStream), db)
  const url = await backend.listen()
  return {
    url,
    config,
    app: backend.app,
    db: backend.db,
    scheduler: backend.scheduler,
    async close() {
      await backend.close()
      await dispose()
    },
  }
}

/** `db` whose `close()` does nothing: its owner closes it. */
function unclosable(db: Database): Database {
  return {
    query: (sql, params) => db.query(sql, params),
    transaction: (fn) => db.transaction(fn),
    close: async () => {},
  }
}

export interface TestDatabase {
  /** Not migrated yet (`startBackend` migrates). */
  db: Database
  /** Drops the test's schema (Postgres, unless `keepData`); call after `db.close()`. */
  dispose(): Promise<void>
}

/** An empty database chosen by the same rules as `startTestBackend`. */
export async function openTestDatabase(
  options: Pick<TestBackendOptions, 'dataDir' | 'databaseUrl' | 'schema' | 'keepData'> = {},
): Promise<TestDatabase> {
  const databaseUrl = options.databaseUrl ?? (options.dataDir ? undefined : process.env.TEST_DATABASE_URL || undefined)
  if (databaseUrl) return openPostgresSchema(databaseUrl, options.schema, options.keepData ?? false)
  const db = options.dataDir ? await PGliteDatabase.open(options.dataDir) : await openMemoryPGlite()
  return { db, dispose: async () => {} }
}

/** A migrated, empty in-memory database of this process, to clone from. */
let migratedSnapshot: Promise<Blob> | undefined

/**
 * PGlite's start-up runs initdb in WASM (~2 s); loading a snapshot takes a quarter of that. So the
 * first in-memory database of a test file is migrated and snapshotted before anyone writes to it,
 * and later ones start from that snapshot (and find nothing left to migrate).
 */
async function openMemoryPGlite(): Promise<PGliteDatabase> {
  if (migratedSnapshot) {
    const snapshot = await migratedSnapshot.catch(() => undefined)
    if (snapshot) return PGliteDatabase.open('memory://', snapshot)
  }
  const db = await PGliteDatabase.open('memory://')
  await migrate(db)
  migratedSnapshot ??= db.snapshot()
  await migratedSnapshot.catch(() => {
    migratedSnapshot = undefined
  })
  return db
}

async function openPostgresSchema(
  connectionString: string,
  requested: string | undefined,
  keep: boolean,
): Promise<TestDatabase> {
  const schema = requested ?? `test_${randomBytes(6).toString('hex')}`
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new TypeError(`schema: not a plain identifier: ${schema}`)
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString })
    await client.connect()
    try {
      await client.query(sql)
    } finally {
      await client.end()
    }
  }
  await admin(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
  return {
    db: new PostgresDatabase({ connectionString, schema, maxConnections: 5 }),
    dispose: keep ? async () => {} : () => admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
  }
}

/** Request targets for bad-input batteries: ones `new URL(target, base)` throws on, and ones no HTTP client would send. */
export const BAD_REQUEST_TARGETS = [
  '//a:b',
  '//a:99999/api/me',
  '//[::1/healthz',
  'http://a:b/healthz',
  'http://[::1/api/rooms',
  '//',
  '*',
  '/%',
  '/%zz?%zz=%&token=%',
  '/api/rooms/%E0%A4%A?failedHost=%',
  '/../../etc/passwd',
  '/internal/rooms/../../api/me',
  '\\\\a\\b',
  `/${'a'.repeat(8000)}`,
]

/**
 * Sends one request with `target` verbatim as its request target over a raw TCP socket (HTTP
 * clients normalise or refuse odd targets such as `//a:b`) and resolves with the status code
 * answered, or 0 when the connection closed without one.
 *
 * @example await rawRequestStatus('127.0.0.1:8080', 'GET', '//a:b') // 404
 */
export function rawRequestStatus(host: string, method: string, target: string, headers: Record<string, string> = {}): Promise<number> {
  const [hostname, port] = [host.slice(0, host.lastIndexOf(':')), Number(host.slice(host.lastIndexOf(':') + 1))]
  const head = Object.entries({ host, connection: 'close', ...headers }).map(([name, value]) => `${name}: ${value}\r\n`).join('')
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    const socket = connect({ host: hostname, port }, () => socket.end(`${method} ${target} HTTP/1.1\r\n${head}\r\n`))
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    // A reset after the answer (servers destroy the socket after a 400) is not a failure; with no answer, 0.
    socket.on('error', () => {})
    socket.on('close', () => resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(Buffer.concat(chunks).toString('latin1'))?.[1] ?? 0)))
  })
}
