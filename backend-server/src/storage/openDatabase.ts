import { join } from 'node:path'
import type { BackendConfig } from '../config.js'
import type { Database } from './Database.js'
import { PGliteDatabase } from './PGliteDatabase.js'
import { PostgresDatabase } from './PostgresDatabase.js'

/** The one place that picks the engine: Postgres when `DATABASE_URL` is set, else PGlite in `DATA_DIR/pglite`. */
export async function openDatabase(config: Pick<BackendConfig, 'databaseUrl' | 'dataDir'>): Promise<Database> {
  if (config.databaseUrl) return new PostgresDatabase({ connectionString: config.databaseUrl })
  return PGliteDatabase.open(join(config.dataDir, 'pglite'))
}
