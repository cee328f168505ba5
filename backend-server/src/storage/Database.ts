/**
 * The backend's storage seam: one SQL dialect (Postgres), two engines.
 *
 * - `PGliteDatabase`: Postgres compiled to WASM, in-process, in a data directory or in memory. The
 *   default, so `npm start` and the tests need nothing installed.
 * - `PostgresDatabase`: a real Postgres through a `pg` Pool (`DATABASE_URL`), for production and
 *   for several backend replicas sharing one database.
 *
 * Stores take a `Queryable`, so the same query runs inside or outside a transaction. Rows come
 * back as the driver gives them; stores convert `bigint` columns and timestamps at their edge
 * (the two drivers disagree on both).
 */
export interface Queryable {
  /** Runs one parameterised statement ($1, $2…) and returns its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<T[]>
}

export interface QueryOptions {
  /**
   * Prepare the statement once per connection and reuse it (Postgres; PGlite ignores it). Only for a
   * hot statement whose plan cannot depend on its values: a call of one of our SQL functions
   * (`SELECT … FROM join_room($1, $2)`), whose own statements PL/pgSQL plans and keeps anyway.
   * Postgres may switch a prepared statement to a generic plan after five runs, which for a query
   * whose best plan depends on its values (a search pattern, an optional cursor) can be far worse.
   */
  prepared?: boolean
}

/** A transaction's connection. */
export interface Transaction extends Queryable {
  /**
   * Runs a script of any number of statements, without parameters or results (the simple query
   * protocol): how a migration file runs, whole, function bodies and all.
   */
  exec(sql: string): Promise<void>
}

export interface Database extends Queryable {
  /**
   * Runs `fn` in one transaction on one connection: committed when `fn` resolves, rolled back when
   * it throws (and the error rethrown). Concurrent transactions never interleave their statements.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>
  /** Closes the connection(s); waits for running statements. */
  close(): Promise<void>
}

/**
 * The database cannot take this statement now: every connection busy and the wait queue full, no
 * connection within the connect timeout, or the statement ran past its timeout. The request
 * gets 503 `database_unavailable` with Retry-After, and a session server's commit is retried.
 */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError'
}
