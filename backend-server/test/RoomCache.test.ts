import { afterEach, describe, expect, it } from 'vitest'
import type { Queryable } from '../src/storage/Database.js'
import { migrate } from '../src/storage/migrate.js'
import { RoomCache } from '../src/storage/RoomCache.js'
import { RoomStore } from '../src/storage/RoomStore.js'
import { UserStore } from '../src/storage/UserStore.js'
import { openTestDatabase, type TestDatabase } from '../src/testing/index.js'

const opened: TestDatabase[] = []
afterEach(async () => {
  for (const { db, dispose } of opened.splice(0)) {
    await db.close()
    await dispose()
  }
})

const TTL_MS = 30_000

/** A real database, a room owned by a user, and a RoomCache whose statements are counted. */
async function setup() {
  const database = await openTestDatabase()
  opened.push(database)
  const { db } = database
  await migrate(db)
  const owner = (await new UserStore(db).create('owner', 'hash'))!
  const member = (await new UserStore(db).create('member', 'hash'))!
  const rooms = new RoomStore(db)
  await rooms.create({ id: 'room-000001', name: 'Lobby', ownerId: owner.id })
  let statements = 0
  const counted: Queryable = {
    query: (sql, params) => {
      statements++
      return db.query(sql, params)
    },
  }
  const clock = { time: 1_000_000, now() { return this.time } }
  const cache = new RoomCache(new RoomStore(counted), { roomTtlMs: TTL_MS, clock })
  return { rooms, owner, member, cache, clock, db, statements: () => statements }
}

describe('RoomCache', () => {
  describe('#find', () => {
    it('reads a room once, then answers from memory within the TTL', async () => {
      const { cache, statements } = await setup()
      const first = await cache.find('room-000001')
      expect(first).toMatchObject({ id: 'room-000001', name: 'Lobby' })
      expect(await cache.find('room-000001')).toEqual(first)
      expect(statements()).toBe(1)
    })

    it('does NOT remember an unknown id: a room created meanwhile (by another replica) is found at once', async () => {
      const { cache, rooms, owner } = await setup()
      expect(await cache.find('room-000002')).toBeUndefined()
      await rooms.create({ id: 'room-000002', name: 'Later', ownerId: owner.id })
      expect(await cache.find('room-000002')).toMatchObject({ name: 'Later' })
    })

    it('sees a room deleted by another replica once the TTL has passed', async () => {
      const { cache, rooms, clock } = await setup()
      await cache.find('room-000001')
      await rooms.delete('room-000001')
      clock.time += TTL_MS + 1
      expect(await cache.find('room-000001')).toBeUndefined()
    })
  })

  describe('#forget', () => {
    it('makes a room deleted through this replica unknown at once', async () => {
      const { cache, rooms } = await setup()
      await cache.find('room-000001')
      await rooms.delete('room-000001')
      cache.forget('room-000001')
      expect(await cache.find('room-000001')).toBeUndefined()
    })
  })

  describe('#join', () => {
    it('records a new member with one statement, starting them at the latest seq, and answers isMember from memory afterwards', async () => {
      const { cache, rooms, owner, member, statements, db } = await setup()
      await db.query(
        `INSERT INTO messages (room_id, seq, id, user_id, username, client_id, text, created_at)
         VALUES ('room-000001', 1, gen_random_uuid(), $1, 'owner', 'c1', 'hi', now()), ('room-000001', 2, gen_random_uuid(), $1, 'owner', 'c2', 'hi', now())`,
        [owner.id],
      )
      expect(await cache.join('room-000001', member.id)).toBe(2)
      expect(statements()).toBe(1)
      expect(await cache.isMember('room-000001', member.id)).toBe(true)
      expect(statements()).toBe(1)
      expect(await rooms.isMember('room-000001', member.id)).toBe(true)
    })

    it("reads a member's stored position, one statement each time (session servers move it), and keeps their joined_at", async () => {
      const { cache, member, statements, db } = await setup()
      await cache.join('room-000001', member.id)
      const [before] = await db.query<{ joined_at: unknown }>('SELECT joined_at FROM room_members WHERE user_id = $1', [member.id])
      await db.query('UPDATE room_members SET read_seq = 7 WHERE user_id = $1', [member.id])
      expect(await cache.join('room-000001', member.id)).toBe(7)
      expect(statements()).toBe(2)
      expect(await db.query('SELECT joined_at FROM room_members WHERE user_id = $1', [member.id])).toEqual([before])
    })

    it('records one membership for joins of the same pair at once', async () => {
      const { cache, member, db } = await setup()
      expect(await Promise.all([cache.join('room-000001', member.id), cache.join('room-000001', member.id)])).toEqual([0, 0])
      expect(await db.query('SELECT count(*)::int AS n FROM room_members WHERE user_id = $1', [member.id])).toEqual([{ n: 1 }])
    })

    it('records nothing, and does NOT throw, for a room deleted since its row was cached', async () => {
      const { cache, rooms, member } = await setup()
      await cache.find('room-000001')
      await rooms.delete('room-000001')
      await expect(cache.join('room-000001', member.id)).resolves.toBeUndefined()
      expect(await rooms.isMember('room-000001', member.id)).toBe(false)
      expect(await cache.isMember('room-000001', member.id)).toBe(false)
    })
  })
})
