import pg from 'pg'
import { DatabaseUnavailableError, type Database, type QueryOptions, type Transaction } from './Database.js'

/**
 * The pool's bounds, so that a slow or unreachable database turns into quick 503s instead of
 * requests piling up without end (each holding memory and a socket) until the process falls over.
 */
export const POSTGRES_LIMITS = {
  /** Connections in the pool. */
  maxConnections: 10,
  /** Statements waiting for a connection beyond which new ones are refused at once. */
  maxWaiting: 100,
  /** How long a statement may wait for a pooled connection, or for a new one to connect. */
  connectTimeoutMs: 5000,
  /** Postgres cancels a statement that runs longer (a stuck query must not hold its connection). */
  statementTimeoutMs: 10_000,
  /** The client gives up on an answer this long after asking (the server or the network is gone). */
  queryTimeoutMs: 15_000,
  /** Postgres ends a session idle this long inside a transaction (a caller that never finished). */
  idleInTransactionTimeoutMs: 30_000,
} as const

export interface PostgresOptions extends Partial<Record<keyof typeof POSTGRES_LIMITS, number>> {
  connectionString: string
  /** Sets `search_path` on every connection (tests give each backend its own schema). */
  schema?: string
}

/**
 * Distinct statements given a name (`{ prepared: true }`), and so prepared once per connection: a
 * handful of constant texts; the bound only keeps a mistake from growing every connection's
 * prepared statements without end (past it, statements are sent unnamed, as the rest).
 */
export const MAX_PREPARED_STATEMENTS = 50

/** Postgres's SQLSTATE for a statement cancelled by `statement_timeout`. */
const QUERY_CANCELED = '57014'

export class PostgresDatabase implements Database {
  private readonly pool: pg.Pool
  private readonly maxWaiting: number
  /** Statement text → its name (`s1`, `s2`…), the same on every connection. */
  private readonly statementNames = new Map<string, string>()

  constructor(options: PostgresOptions) {
    const limits = { ...POSTGRES_LIMITS, ...options }
    this.maxWaiting = limits.maxWaiting
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: limits.maxConnections,
      connectionTimeoutMillis: limits.connectTimeoutMs,
      statement_timeout: limits.statementTimeoutMs,
      query_timeout: limits.queryTimeoutMs,
      idle_in_transaction_session_timeout: limits.idleInTransactionTimeoutMs,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    })
    // An idle client that loses its connection emits 'error' on the pool; without a listener
    // that would crash the process. The next query simply gets a fresh connection.
    this.pool.on('error', () => {})
  }

  async query<T>(sql: string, params: readonly unknown[] = [], options?: QueryOptions): Promise<T[]> {
    this.refuseWhenQueueFull()
    try {
      const name = options?.prepared ? this.statementName(sql) : undefined
      return (await this.pool.query(name === undefined ? { text: sql, values: [...params] } : { name, text: sql, values: [...params] })).rows as T[]
    } catch (error) {
      throw unavailableOr(error)
    }
  }

  /** All statements of a transaction must go to the same connection, hence the checked-out client. */
  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    this.refuseWhenQueueFull()
    let client: pg.PoolClient
    try {
      client = await this.pool.connect()
    } catch (error) {
      throw unavailableOr(error)
    }
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
      throw unavailableOr(error)
    } finally {
      client.release()
    }
  }

  async close(): Promise<void> {
    // pg throws when a pool is ended twice; closing is idempotent for PGlite, so make it so here.
    if (!this.pool.ended) await this.pool.end()
  }

  /**
   * A name makes pg prepare the statement on a connection the first time and then only bind and
   * execute it: Postgres parses it once per connection instead of once per call.
   */
  private statementName(sql: string): string | undefined {
    let name = this.statementNames.get(sql)
    if (name === undefined && this.statementNames.size < MAX_PREPARED_STATEMENTS) {
      name = `s${this.statementNames.size + 1}`
      this.statementNames.set(sql, name)
    }
    return name
  }

  private refuseWhenQueueFull(): void {
    if (this.pool.waitingCount >= this.maxWaiting) {
      throw new DatabaseUnavailableError(`${this.pool.waitingCount} statements are waiting for a database connection`)
    }
  }
}

/** A timeout (connecting, or a statement cancelled by Postgres or by the client) as `DatabaseUnavailableError`; anything else as it is. */
function unavailableOr(error: unknown): unknown {
  if (error instanceof DatabaseUnavailableError || !(error instanceof Error)) return error
  const code = (error as { code?: unknown }).code
  if (code === QUERY_CANCELED || /timeout/i.test(error.message)) {
    return new DatabaseUnavailableError(`the database did not answer in time: ${error.message}`, { cause: error })
  }
  return error
}
