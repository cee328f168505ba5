import pg from 'pg'
import type { Database, Transaction } from './Database.js'

export interface PostgresOptions {
  connectionString: string
  /** Sets `search_path` on every connection (tests give each backend its own schema). */
  schema?: string
  maxConnections?: number
}

export class PostgresDatabase implements Database {
  private readonly pool: pg.Pool

  constructor(options: PostgresOptions) {
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    })
    // An idle client that loses its connection emits 'error' on the pool; without a listener
    // that would crash the process. The next query simply gets a fresh connection.
    this.pool.on('error', () => {})
  }

  async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const result = await this.pool.query(sql, [...params])
    return result.rows as T[]
  }

  /** All statements of a transaction must go to the same connection, hence the checked-out client. */
  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect()
    try {
      await client.query('BEGIN')
      const result = await fn({
        query: async <R>(sql: string, params: readonly unknown[] = []) =>
          (await client.query(sql, [...params])).rows as R[],
        // No parameters: pg sends it with the simple query protocol, which takes several statements.
        exec: async (sql: string) => {
          await client.query(sql)
        },
      })
      await client.query('COMMIT')
      return result
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {})
      throw error
    } finally {
      client.release()
    }
  }

  async close(): Promise<void> {
    // pg throws when a pool is ended twice; closing is idempotent for PGlite, so make it so here.
    if (!this.pool.ended) await this.pool.end()
  }
}
