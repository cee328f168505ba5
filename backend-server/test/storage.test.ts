import { randomBytes, scryptSync } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { HashingBusyError, PasswordHasher } from '../src/auth/passwords.js'
import { DatabaseUnavailableError } from '../src/storage/Database.js'
import { migrate } from '../src/storage/migrate.js'
import { MAX_PREPARED_STATEMENTS, POSTGRES_LIMITS, PostgresDatabase } from '../src/storage/PostgresDatabase.js'
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
  const hasher = new PasswordHasher(2)

  it('hashes at OWASP\'s scrypt minimum (N=2^14, r=8, p=5), storing the parameters and a random salt with each hash', async () => {
    const [a, b] = [await hasher.hash('same password'), await hasher.hash('same password')]
    expect(a).toMatch(/^scrypt\$16384\$8\$5\$[\w-]+\$[\w-]+$/)
    expect(a).not.toBe(b)
  })

  it('verifies the right password only, and refuses malformed hashes and unknown users', async () => {
    const hash = await hasher.hash('right password')
    expect(await hasher.verify('right password', hash)).toEqual({ valid: true })
    expect(await hasher.verify('wrong password', hash)).toEqual({ valid: false })
    expect(await hasher.verify('right password', 'md5$abc')).toEqual({ valid: false })
    expect(await hasher.verify('right password', undefined)).toEqual({ valid: false })
  })

  it('verifies a hash with older parameters and hands back one with the current ones', async () => {
    const salt = randomBytes(16)
    const key = scryptSync('old password', salt, 32, { N: 16_384, r: 8, p: 1 })
    const old = ['scrypt', 16_384, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$')
    const verified = await hasher.verify('old password', old)
    expect(verified).toEqual({ valid: true, upgraded: expect.stringMatching(/^scrypt\$16384\$8\$5\$/) })
    expect(await hasher.verify('old password', (verified as { upgraded: string }).upgraded)).toEqual({ valid: true })
  })

  it('runs at most its concurrency at once, queues a bounded number more, and refuses the rest at once', async () => {
    const one = new PasswordHasher(1, 2)
    const attempts = Array.from({ length: 6 }, () => one.hash('x').then(() => 'hashed', (error: unknown) => error))
    const outcomes = await Promise.all(attempts)
    expect(outcomes.filter((o) => o === 'hashed')).toHaveLength(3)
    expect(outcomes.filter((o) => o instanceof HashingBusyError)).toHaveLength(3)
  })
})

// The pool's bounds exist only with a real Postgres (PGlite is one in-process connection); CI
// runs this file again with TEST_DATABASE_URL set (`.ci/with-postgres.sh`).
describe.runIf(process.env.TEST_DATABASE_URL)('PostgreSQL pool bounds', () => {
  const open = (limits: Partial<Record<keyof typeof POSTGRES_LIMITS, number>>) => {
    const db = new PostgresDatabase({ connectionString: process.env.TEST_DATABASE_URL!, ...limits })
    closers.push(() => db.close())
    return db
  }
  const closers: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const close of closers.splice(0)) await close()
  })

  it('cancels a statement that runs past the statement timeout, as DatabaseUnavailableError', async () => {
    const db = open({ statementTimeoutMs: 200 })
    await expect(db.query('SELECT pg_sleep(5)')).rejects.toBeInstanceOf(DatabaseUnavailableError)
    expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }])
  })

  it('refuses at once what would wait behind a full queue, and times out a wait for a connection', async () => {
    const db = open({ maxConnections: 1, maxWaiting: 1, connectTimeoutMs: 300 })
    const holding = db.query('SELECT pg_sleep(1)')
    const waiting = db.query('SELECT 1').then(() => 'answered', (error: unknown) => error)
    await expect(db.query('SELECT 2')).rejects.toBeInstanceOf(DatabaseUnavailableError)
    // The one that waited gave up after the connect timeout, while the first still held the connection.
    expect(await waiting).toBeInstanceOf(DatabaseUnavailableError)
    await holding
  })

  it('lets migrations run past the statement timeout (they wait for other replicas and may build indexes)', async () => {
    const db = open({ statementTimeoutMs: 100 })
    await db.transaction(async (tx) => {
      await tx.query('SET LOCAL statement_timeout = 0')
      await tx.query('SELECT pg_sleep(0.3)')
    })
  })

  it('prepares a statement marked prepared once per connection, and runs it with each call\'s values', async () => {
    const db = open({ maxConnections: 1 })
    const sql = 'SELECT $1::int + 1 AS next'
    const answers = await Promise.all([1, 2, 3, 4].map((n) => db.query<{ next: number }>(sql, [n], { prepared: true })))
    expect(answers.map(([row]) => row!.next)).toEqual([2, 3, 4, 5])
    const prepared = await db.query<{ count: string }>("SELECT count(*) FROM pg_prepared_statements WHERE statement = $1", [sql])
    expect(prepared).toEqual([{ count: '1' }])
  })

  it('sends statements unnamed past MAX_PREPARED_STATEMENTS distinct ones, and they still run', async () => {
    const db = open({ maxConnections: 1 })
    for (let n = 0; n <= MAX_PREPARED_STATEMENTS; n++) {
      expect(await db.query<{ n: number }>(`SELECT ${n}::int AS n`, [], { prepared: true })).toEqual([{ n }])
    }
    const [row] = await db.query<{ count: string }>('SELECT count(*) FROM pg_prepared_statements')
    expect(Number(row!.count)).toBe(MAX_PREPARED_STATEMENTS)
  })
})
