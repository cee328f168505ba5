/**
 * PGlite has no autovacuum: the backend refreshes the planner's statistics itself once the tables
 * grew (without them, every commit grew slower with its room; see PGliteDatabase.analyzeIfGrown).
 */
import { afterAll, describe, expect, it } from 'vitest'
import { migrate } from '../src/storage/migrate.js'
import { PGliteDatabase } from '../src/storage/PGliteDatabase.js'

const opened: PGliteDatabase[] = []
afterAll(async () => {
  await Promise.all(opened.map((db) => db.close()))
})

const reltuples = async (db: PGliteDatabase, table: string) =>
  Number((await db.query<{ reltuples: unknown }>('SELECT reltuples FROM pg_class WHERE relname = $1', [table]))[0]?.reltuples)

describe('PGliteDatabase.analyzeIfGrown', () => {
  it('analyzes once the tables grew by a tenth and 256 kB, and not again until they grow again', async () => {
    const db = await PGliteDatabase.open('memory://')
    opened.push(db)
    await migrate(db)
    expect(await db.analyzeIfGrown()).toBe(false)
    await db.query("INSERT INTO users (id, username, username_lower, password_hash) VALUES ('00000000-0000-4000-8000-000000000001', 'ana', 'ana', 'x')")
    await db.query("INSERT INTO rooms (id, name, owner_id) VALUES ('room-analyze', 'A', '00000000-0000-4000-8000-000000000001')")
    await db.query(
      `INSERT INTO messages (room_id, seq, id, user_id, username, client_id, text, created_at)
       SELECT 'room-analyze', n, gen_random_uuid(), '00000000-0000-4000-8000-000000000001', 'ana', 'c' || n, repeat('x', 200), now()
       FROM generate_series(1, 3000) AS n`,
    )
    // Never analyzed: the planner knows nothing of these rows.
    expect(await reltuples(db, 'messages')).toBeLessThan(0)
    expect(await db.analyzeIfGrown()).toBe(true)
    expect(await reltuples(db, 'messages')).toBe(3000)
    expect(await db.analyzeIfGrown()).toBe(false)
  })
})
