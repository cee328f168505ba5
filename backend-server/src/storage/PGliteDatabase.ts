import { mkdir } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'
import type { Database, Transaction } from './Database.js'

/**
 * PGlite is a single connection. Its own `transaction()` and `query()` share one mutex, so a
 * transaction's statements are never interleaved with anyone else's: that is why we use its API
 * rather than sending BEGIN/COMMIT ourselves.
 */
export class PGliteDatabase implements Database {
  private readonly analyzer: ReturnType<typeof setInterval>
  /** The tables' size at the last ANALYZE, in bytes. */
  private analyzedBytes = 0
  private analyzing = false

  private constructor(private readonly db: PGlite) {
    this.analyzer = setInterval(() => void this.analyzeIfGrown(), ANALYZE_CHECK_INTERVAL_MS)
    this.analyzer.unref()
  }

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
    clearInterval(this.analyzer)
    if (!this.db.closed) await this.db.close()
  }

  /**
   * PGlite runs no autovacuum, so nothing refreshes the planner's statistics: it keeps planning for
   * the empty tables it first saw (sequential scans), and every group commit grew slower with its
   * room (1.7 ms at 1,500 messages, 5.4 ms at 4,500; flat at 1.35 ms after one ANALYZE). This is
   * autovacuum's rule of thumb done by hand: ANALYZE once the tables grew by a tenth (and 256 kB)
   * since the last time. The size is one cheap catalog query; ANALYZE samples, so it stays short.
   */
  async analyzeIfGrown(): Promise<boolean> {
    if (this.analyzing || this.db.closed) return false
    this.analyzing = true
    try {
      const [row] = await this.query<{ bytes: unknown }>(
        `SELECT coalesce(sum(pg_relation_size(oid)), 0) AS bytes FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace`,
      )
      const bytes = Number(row?.bytes ?? 0)
      if (bytes < this.analyzedBytes * 1.1 + ANALYZE_MIN_GROWTH_BYTES) return false
      await this.db.exec('ANALYZE')
      this.analyzedBytes = bytes
      return true
    } catch {
      // Closed meanwhile, or busy: the next check tries again.
      return false
    } finally {
      this.analyzing = false
    }
  }
}

/** How often the tables' growth is checked (`analyzeIfGrown`). */
const ANALYZE_CHECK_INTERVAL_MS = 30_000
const ANALYZE_MIN_GROWTH_BYTES = 256 * 1024
