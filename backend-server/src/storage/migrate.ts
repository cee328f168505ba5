import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { Logger } from 'pino'
import type { Database } from './Database.js'

/**
 * Where the `NNN_name.sql` files are. The same relative URL works from the sources
 * (`src/storage/migrate.ts` → `src/storage/migrations/`) and from the bundle (`dist/main.js` →
 * `dist/migrations/`, where build.mjs copies them).
 */
export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url))

/** Any constant works; it only has to be the same for every replica of this backend. */
const MIGRATION_LOCK_KEY = 7_312_001

const MIGRATION_FILE = /^(\d{3})_[a-z0-9_]+\.sql$/

/**
 * Applies the migrations not yet recorded in `schema_migrations`, in order, in one transaction.
 * The transaction-scoped advisory lock makes two replicas starting at once on one Postgres take
 * turns: the second one waits, then finds everything applied.
 */
export async function migrate(db: Database, logger?: Logger, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => MIGRATION_FILE.test(f)).sort()
  return db.transaction(async (tx) => {
    // Waiting for another replica's migrations, or a long one of our own (an index on a big
    // table), must not be cut short by the pool's statement timeout.
    await tx.query('SET LOCAL statement_timeout = 0')
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY])
    await tx.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version text PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    )
    const applied = new Set(
      (await tx.query<{ version: string }>('SELECT version FROM schema_migrations')).map((r) => r.version),
    )
    const pending = files.filter((f) => !applied.has(f))
    for (const file of pending) {
      await tx.exec(await readFile(`${dir}/${file}`, 'utf8'))
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [file])
      logger?.info({ migration: file }, 'applied migration')
    }
    return pending
  })
}

/**
 * Migration files not recorded as applied (for `/readyz`): a replica whose database is behind
 * its code must not take traffic. Throws when the database does not answer.
 */
export async function pendingMigrations(db: Database, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => MIGRATION_FILE.test(f))
  const applied = await db
    .query<{ version: string }>('SELECT version FROM schema_migrations')
    .then((rows) => new Set(rows.map((r) => r.version)))
  return files.filter((f) => !applied.has(f)).sort()
}
