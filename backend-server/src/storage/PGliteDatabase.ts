import { mkdir } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'
import type { Database, Transaction } from './Database.js'

/**
 * PGlite is a single connection. Its own `transaction()` and `query()` share one mutex, so a
 * transaction's statements are never interleaved with anyone else's: that is why we use its API
 * rather than sending BEGIN/COMMIT ourselves.
 */
export class PGliteDatabase implements Database {
  private constructor(private readonly db: PGlite) {}

  /**
   * @param dataDir a directory, or `memory://` for a throw-away database
   * @param snapshot start from this `snapshot()` instead of an empty cluster (much faster than initdb)
   */
  static async open(dataDir: string, snapshot?: Blob): Promise<PGliteDatabase> {
    // PGlite creates only the last path segment; a fresh clone has no DATA_DIR yet.
    if (!dataDir.includes('://')) await mkdir(dataDir, { recursive: true })
    const db = await PGlite.create(dataDir, snapshot ? { loadDataDir: snapshot } : {})
    return new PGliteDatabase(db)
  }

  /** The whole data directory as a tarball. Used by testing.ts to clone migrated databases. */
  snapshot(): Promise<Blob> {
    return this.db.dumpDataDir('none')
  }

  async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const result = await this.db.query<T>(sql, [...params])
    return result.rows
  }

  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) =>
      fn({
        query: async <R>(sql: string, params: readonly unknown[] = []) => (await tx.query<R>(sql, [...params])).rows,
        exec: async (sql: string) => {
          await tx.exec(sql)
        },
      }),
    )
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close()
  }
}
