/**
 * A real backend on 127.0.0.1, port 0, with its own empty database: the test helper this
 * workspace offers the others (`@scalable-chat/backend-server/testing`).
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
import { parseRoomTokenPrivateKey, publicKeyPem } from '@scalable-chat/backend-contract/internal'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import type { Express } from 'express'
import type { DestinationStream } from 'pino'
import { startBackend } from '../startBackend.js'
import { loadConfig, type BackendConfig } from '../config.js'
import { createLogger } from '../logger.js'
import type { GuestSweeper } from '../auth/GuestSweeper.js'
import type { Scheduler } from '../scheduler/index.js'
import type { Database } from '../storage/Database.js'
import { migrate } from '../storage/migrate.js'
import { PGliteDatabase } from '../storage/PGliteDatabase.js'
import { PostgresDatabase } from '../storage/PostgresDatabase.js'

/** The backend's process entry point, for tests that run it as a real process (`node --import tsx`). */
export const BACKEND_MAIN_MODULE = fileURLToPath(new URL('../main.ts', import.meta.url))

export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789'
/**
 * The test backends' room-token key (EC P-256). Public in this repository, so production refuses
 * it (`KNOWN_TEST_KEY_IDS`). Test session servers verify with `TEST_ROOM_TOKEN_PUBLIC_KEY`.
 */
export const TEST_ROOM_TOKEN_PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgeyf6gv9YV499bVnU
GhFIJ9sQ0PYnqxs+iN0jycF6faWhRANCAATEA7CeWYKyIWe2R4OwIjYFllx1jom1
7mC0qr+0nzvV6CUrhqQB+Y8gTZ26IYNqJEEcAuy8sGhWNDlJVCUXrtra
-----END PRIVATE KEY-----
`
export const TEST_ROOM_TOKEN_PUBLIC_KEY = publicKeyPem(parseRoomTokenPrivateKey(TEST_ROOM_TOKEN_PRIVATE_KEY))
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
  /** Where `/internal` is served: `url`, unless the test set `INTERNAL_PORT` (`'0'` for a free port). */
  internalUrl: string
  config: BackendConfig
  app: Express
  /** The backend's database, for assertions and for arranging rows a test needs. */
  db: Database
  scheduler: Scheduler
  /** Deletes expired guests every `guestSweepIntervalMs`; tests may also run a sweep now. */
  guestSweeper: GuestSweeper
  close(): Promise<void>
}

export async function startTestBackend(options: TestBackendOptions): Promise<TestBackend> {
  const config: BackendConfig = {
    ...loadConfig({
      JWT_SECRET: options.jwtSecret ?? TEST_JWT_SECRET,
      SERVICE_TOKEN: options.serviceToken ?? TEST_SERVICE_TOKEN,
      ROOM_TOKEN_PRIVATE_KEY: TEST_ROOM_TOKEN_PRIVATE_KEY,
      // None for SCHEDULER=fleet, whose servers register themselves, and for hathora.
      ...(options.sessionServerHosts.length > 0 ? { SESSION_SERVER_HOST: options.sessionServerHosts.join(',') } : {}),
      PORT: '0',
      BIND_ADDRESS: '127.0.0.1',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? (options.logStream ? 'info' : 'silent'),
      // Every test registers its users from 127.0.0.1, and many create and join rooms with one
      // user without connecting to them; the limits have their own tests.
      AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
      LOGIN_MAX_FAILURES_PER_IP: '1000000',
      ROOMS_PER_USER_PER_HOUR: '1000000',
      MAX_PENDING_PLACEMENTS_PER_USER: '1000000',
      ...options.env,
    }),
    ...options.overrides,
  }
  const { db, dispose } = options.database
    ? { db: unclosable(options.database), dispose: async () => {} }
    : await openTestDatabase(options)
  const backend = await startBackend(config, createLogger(config, options.logStream), db)
  const { url, internalUrl } = await backend.listen()
  return {
    url,
    internalUrl,
    config,
    app: backend.app,
    db: backend.db,
    scheduler: backend.scheduler,
    guestSweeper: backend.guestSweeper,
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
