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
      const sql = await readFile(`${dir}/${file}`, 'utf8')
      // Statements are split on `;` at line ends, outside `$$`-quoted function bodies.
      for (const statement of splitStatements(sql)) await tx.query(statement)
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

/**
 * Extended-protocol queries take one statement each (PGlite and pg both use it for parameters), so
 * a file is split on `;` at the end of a line, except inside a `$$`-quoted function body.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = []
  let current: string[] = []
  let inBody = false
  for (const line of sql.split('\n')) {
    if (!inBody && line.trim().startsWith('--')) continue
    current.push(line)
    // An odd number of `$$` on a line opens or closes a body.
    if ((line.split('$$').length - 1) % 2 === 1) inBody = !inBody
    if (!inBody && /;\s*$/.test(line)) {
      statements.push(current.join('\n').replace(/;\s*$/, '').trim())
      current = []
    }
  }
  statements.push(current.join('\n').trim())
  return statements.filter((s) => s.length > 0)
}
