import { afterEach, describe, expect, it } from 'vitest'
import { hashPassword, verifyPassword } from '../src/auth/passwords.js'
import { migrate } from '../src/storage/migrate.js'
import { openTestDatabase, type TestDatabase } from '../src/testing/index.js'

const opened: TestDatabase[] = []
afterEach(async () => {
  for (const { db, dispose } of opened.splice(0)) {
    await db.close()
    await dispose()
  }
})

async function freshDatabase() {
  const database = await openTestDatabase()
  opened.push(database)
  return database.db
}

describe('migrate', () => {
  it('applies every migration once; running it again applies nothing', async () => {
    const db = await freshDatabase()
    // The in-memory helper may hand out an already-migrated clone; either way the second run is empty.
    await migrate(db)
    expect(await migrate(db)).toEqual([])
    const versions = await db.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version')
    expect(versions.map((v) => v.version)).toContain('001_initial.sql')
  })

  it('lets two replicas migrate one database at the same time (the advisory lock makes them take turns)', async () => {
    const db = await freshDatabase()
    const [first, second] = await Promise.all([migrate(db), migrate(db)])
    expect([...first, ...second].filter((v) => v === '001_initial.sql').length).toBeLessThanOrEqual(1)
    expect(await db.query('SELECT count(*)::int AS n FROM users')).toEqual([{ n: 0 }])
  })
})

describe('transaction', () => {
  it('rolls back every statement when the function throws, and rethrows', async () => {
    const db = await freshDatabase()
    await migrate(db)
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`INSERT INTO users (id, username, username_lower, password_hash)
                        VALUES (gen_random_uuid(), 'x_y', 'x_y', 'h')`)
        throw new Error('boom')
      }),
    ).rejects.toThrow('boom')
    expect(await db.query('SELECT count(*)::int AS n FROM users')).toEqual([{ n: 0 }])
  })
})

describe('passwords', () => {
  it('stores scrypt parameters and a random salt with each hash', async () => {
    const [a, b] = [await hashPassword('same password'), await hashPassword('same password')]
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/)
    expect(a).not.toBe(b)
  })

  it('verifies the right password only, and refuses malformed hashes', async () => {
    const hash = await hashPassword('right password')
    expect(await verifyPassword('right password', hash)).toBe(true)
    expect(await verifyPassword('wrong password', hash)).toBe(false)
    expect(await verifyPassword('right password', 'md5$abc')).toBe(false)
  })
})
