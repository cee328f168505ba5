import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { pino } from 'pino'
import request from 'supertest'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { JoinRoomResponse } from '@scalable-chat/backend-contract'
import { FAILED_HOST_REPORTS_PER_MINUTE } from '../src/routes/roomRoutes.js'
import { LocalScheduler } from '../src/scheduler/LocalScheduler.js'
import { PlacementStore } from '../src/storage/PlacementStore.js'
import { startTestBackend, type TestBackend, type TestBackendOptions } from '../src/testing/index.js'
import { bearer, createRoom, deadHost, registerUser, service, startFakeSessionServer, type FakeSessionServer } from './helpers.js'

/** Everything a test starts, closed after it whatever happened. */
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function fakeServer(): Promise<FakeSessionServer> {
  const server = await startFakeSessionServer()
  cleanups.push(() => server.close())
  return server
}

/** These tests are about placement itself, so the join path asks the Scheduler every time (no CachedScheduler). */
async function backendWith(options: TestBackendOptions): Promise<TestBackend> {
  const backend = await startTestBackend({ ...options, overrides: { placementCacheTtlMs: 0, ...options.overrides } })
  cleanups.push(() => backend.close())
  return backend
}

async function joinRoom(backend: TestBackend, token: string, roomId: string, query = '') {
  const res = await request(backend.url).get(`/api/rooms/${roomId}${query}`).set(bearer(token))
  return { status: res.status, body: res.body as JoinRoomResponse & { error?: { code: string } } }
}

async function epochOf(backend: TestBackend, roomId: string): Promise<number> {
  const rows = await backend.db.query<{ epoch: unknown }>('SELECT epoch FROM placements WHERE room_id = $1', [roomId])
  return Number(rows[0]?.epoch)
}

/** Marks the room loaded by its session server, as a real one does on the first connection. */
async function load(backend: TestBackend, roomId: string, host: string) {
  await request(backend.url).get(`/internal/rooms/${roomId}`).query({ host }).set(service).expect(200)
}

describe('LocalScheduler placement', () => {
  it('spreads rooms over the healthy servers, fewest rooms first', async () => {
    const [a, b] = [await fakeServer(), await fakeServer()]
    const backend = await backendWith({ sessionServerHosts: [a.host, b.host] })
    const { token } = await registerUser(backend)
    const hosts: string[] = []
    for (let i = 0; i < 4; i++) {
      const roomId = await createRoom(backend, token)
      const joined = await joinRoom(backend, token, roomId)
      await load(backend, roomId, joined.body.host)
      hosts.push(joined.body.host)
    }
    expect(hosts.filter((h) => h === a.host)).toHaveLength(2)
    expect(hosts.filter((h) => h === b.host)).toHaveLength(2)
  })

  it('keeps a room where it is: joining again returns the same host and epoch', async () => {
    const [a, b] = [await fakeServer(), await fakeServer()]
    const backend = await backendWith({ sessionServerHosts: [a.host, b.host] })
    const { token } = await registerUser(backend)
    const roomId = await createRoom(backend, token)
    const first = await joinRoom(backend, token, roomId)
    const again = await joinRoom(backend, token, roomId)
    expect(again.body.host).toBe(first.body.host)
    expect(await epochOf(backend, roomId)).toBe(1)
  })

  it('answers 503 no_capacity when every healthy server is full, and 503 no_servers when none is up', async () => {
    const a = await fakeServer()
    const backend = await backendWith({ sessionServerHosts: [a.host, await deadHost()], overrides: { maxRoomsPerServer: 2 } })
    const { token } = await registerUser(backend)
    for (let i = 0; i < 2; i++) {
      const roomId = await createRoom(backend, token)
      expect((await joinRoom(backend, token, roomId)).body.host).toBe(a.host)
    }
    const third = await createRoom(backend, token)
    const full = await joinRoom(backend, token, third)
    expect(full.status).toBe(503)
    expect(full.body.error?.code).toBe('no_capacity')
    // It says which limit: the one live server holds MAX_ROOMS_PER_SERVER rooms.
    expect((full.body.error as { message?: string }).message).toMatch(/the one server holds 2 active rooms each \(MAX_ROOMS_PER_SERVER\)/)
    // Nothing changed: the refused room is not a member-only room of anyone new, nor placed.
    expect(await backend.db.query('SELECT host FROM placements WHERE room_id = $1', [third])).toEqual([{ host: null }])

    const nobody = await backendWith({ sessionServerHosts: [await deadHost()] })
    const user = await registerUser(nobody)
    const res = await joinRoom(nobody, user.token, await createRoom(nobody, user.token))
    expect(res.status).toBe(503)
    expect(res.body.error?.code).toBe('no_servers')
  })

  it('makes nobody a member through a join that cannot be placed', async () => {
    const backend = await backendWith({ sessionServerHosts: [await deadHost()] })
    const owner = await registerUser(backend)
    const visitor = await registerUser(backend)
    const roomId = await createRoom(backend, owner.token)
    expect((await joinRoom(backend, visitor.token, roomId)).status).toBe(503)
    expect(await backend.db.query('SELECT user_id FROM room_members WHERE room_id = $1 AND user_id = $2', [roomId, visitor.user.id])).toEqual([])
  })

  it('skips a server that nobody listens on', async () => {
    const live = await fakeServer()
    const backend = await backendWith({ sessionServerHosts: [await deadHost(), live.host, await deadHost()] })
    const { token } = await registerUser(backend)
    for (let i = 0; i < 3; i++) {
      expect((await joinRoom(backend, token, await createRoom(backend, token))).body.host).toBe(live.host)
    }
  })

  it('uses a server that came up after start-up without waiting for the next health check', async () => {
    const late = await fakeServer()
    late.healthy = false
    const backend = await backendWith({ sessionServerHosts: [late.host], overrides: { healthCheckIntervalMs: 3_600_000 } })
    const { token } = await registerUser(backend)
    const roomId = await createRoom(backend, token)
    expect((await joinRoom(backend, token, roomId)).status).toBe(503)
    late.healthy = true
    const res = await joinRoom(backend, token, roomId)
    expect(res.status).toBe(200)
    expect(res.body.host).toBe(late.host)
  })

  it('frees the slot of a released room for another room', async () => {
    const a = await fakeServer()
    const backend = await backendWith({ sessionServerHosts: [a.host], overrides: { maxRoomsPerServer: 1 } })
    const { token } = await registerUser(backend)
    const [first, second] = [await createRoom(backend, token), await createRoom(backend, token)]
    await joinRoom(backend, token, first)
    await load(backend, first, a.host)
    expect((await joinRoom(backend, token, second)).status).toBe(503)

    await request(backend.url)
      .post(`/internal/rooms/${first}/release`)
      .set(service)
      .send({ host: a.host, epoch: await epochOf(backend, first) })
      .expect(204)
    expect((await joinRoom(backend, token, second)).status).toBe(200)
  })

  it('stops counting a placement that was never loaded after the grace period', async () => {
    const a = await fakeServer()
    const backend = await backendWith({ sessionServerHosts: [a.host], overrides: { maxRoomsPerServer: 1 } })
    const { token } = await registerUser(backend)
    const [abandoned, next] = [await createRoom(backend, token), await createRoom(backend, token)]
    await joinRoom(backend, token, abandoned)
    expect((await joinRoom(backend, token, next)).status).toBe(503)
    await backend.db.query(`UPDATE placements SET placed_at = now() - interval '3 minutes' WHERE room_id = $1`, [abandoned])
    expect((await joinRoom(backend, token, next)).status).toBe(200)
  })
})

describe('a fair share of capacity', () => {
  it('caps the placements one user holds that nobody connected to (429 too_many_pending_rooms), and no one else', async () => {
    const a = await fakeServer()
    const backend = await backendWith({
      sessionServerHosts: [a.host],
      env: { MAX_PENDING_PLACEMENTS_PER_USER: '2', PENDING_PLACEMENT_GRACE_MS: '60000' },
    })
    const grabber = await registerUser(backend)
    const rooms = [await createRoom(backend, grabber.token), await createRoom(backend, grabber.token), await createRoom(backend, grabber.token)]
    expect((await joinRoom(backend, grabber.token, rooms[0]!)).status).toBe(200)
    expect((await joinRoom(backend, grabber.token, rooms[1]!)).status).toBe(200)
    const refused = await request(backend.url).get(`/api/rooms/${rooms[2]}`).set(bearer(grabber.token))
    expect(refused.status).toBe(429)
    expect(refused.body.error.code).toBe('too_many_pending_rooms')
    expect(refused.headers['retry-after']).toBe('60')
    expect(await backend.db.query('SELECT host FROM placements WHERE room_id = $1', [rooms[2]])).toEqual([{ host: null }])
    // Joining a room placed already takes no new slot; nor does anyone else's join count against them.
    expect((await joinRoom(backend, grabber.token, rooms[0]!)).status).toBe(200)
    const other = await registerUser(backend)
    expect((await joinRoom(backend, other.token, await createRoom(backend, other.token))).status).toBe(200)
    // Once a session server loads one (someone connected), the user may place another.
    await load(backend, rooms[0]!, a.host)
    expect((await joinRoom(backend, grabber.token, rooms[2]!)).status).toBe(200)
  })

  it('gives a placement nobody connects to its slot back after PENDING_PLACEMENT_GRACE_MS, so a grab cannot keep others out', async () => {
    const a = await fakeServer()
    const backend = await backendWith({
      sessionServerHosts: [a.host],
      overrides: { maxRoomsPerServer: 2 },
      // Long enough that the victim's first join surely comes within it, even on a loaded machine.
      env: { MAX_PENDING_PLACEMENTS_PER_USER: '2', PENDING_PLACEMENT_GRACE_MS: '2000' },
    })
    // Everything slow (registering hashes a password) before the grab: the grace starts with the joins.
    const grabber = await registerUser(backend)
    const victim = await registerUser(backend)
    const grabbed = [await createRoom(backend, grabber.token), await createRoom(backend, grabber.token)]
    const theirs = await createRoom(backend, victim.token)
    for (const roomId of grabbed) expect((await joinRoom(backend, grabber.token, roomId)).status).toBe(200)
    expect((await joinRoom(backend, victim.token, theirs)).body.error?.code).toBe('no_capacity')
    await vi.waitFor(async () => expect((await joinRoom(backend, victim.token, theirs)).status).toBe(200), { timeout: 15_000, interval: 100 })
  })
})

describe('LocalScheduler fail-over', () => {
  async function roomOnFirstOfTwo() {
    const [a, b] = [await fakeServer(), await fakeServer()]
    const backend = await backendWith({ sessionServerHosts: [a.host, b.host], overrides: { healthCheckIntervalMs: 20 } })
    const { token } = await registerUser(backend)
    const roomId = await createRoom(backend, token)
    const first = await joinRoom(backend, token, roomId)
    const [holder, other] = first.body.host === a.host ? [a, b] : [b, a]
    return { backend, token, roomId, holder, other }
  }

  it('re-places a room whose server died on a live one, with a higher epoch (failedHost)', async () => {
    const { backend, token, roomId, holder, other } = await roomOnFirstOfTwo()
    await load(backend, roomId, holder.host)
    await holder.close()
    const res = await joinRoom(backend, token, roomId, `?failedHost=${encodeURIComponent(holder.host)}`)
    expect(res.status).toBe(200)
    expect(res.body.host).toBe(other.host)
    expect(await epochOf(backend, roomId)).toBe(2)
  })

  it('moves nothing on one failed check: a second, more patient check must confirm the failure', async () => {
    const { backend, token, roomId, holder } = await roomOnFirstOfTwo()
    await load(backend, roomId, holder.host)
    holder.healthFailures = 1
    const res = await joinRoom(backend, token, roomId, `?failedHost=${encodeURIComponent(holder.host)}`)
    expect(res.body.host).toBe(holder.host)
    expect(await epochOf(backend, roomId)).toBe(1)
    expect(holder.healthFailures).toBe(0)
  })

  it('probes the servers one user reports at most FAILED_HOST_REPORTS_PER_MINUTE times a minute', async () => {
    const [a, b] = [await fakeServer(), await fakeServer()]
    const backend = await backendWith({ sessionServerHosts: [a.host, b.host], overrides: { healthCheckIntervalMs: 3_600_000 } })
    const { token } = await registerUser(backend)
    const roomId = await createRoom(backend, token)
    const { host } = (await joinRoom(backend, token, roomId)).body
    const holder = host === a.host ? a : b
    const before = holder.healthChecks
    for (let i = 0; i < FAILED_HOST_REPORTS_PER_MINUTE + 5; i++) {
      expect((await joinRoom(backend, token, roomId, `?failedHost=${encodeURIComponent(holder.host)}`)).body.host).toBe(holder.host)
    }
    expect(holder.healthChecks - before).toBe(FAILED_HOST_REPORTS_PER_MINUTE)
    // Another user's report is theirs to make.
    const other = await registerUser(backend)
    await joinRoom(backend, other.token, roomId, `?failedHost=${encodeURIComponent(holder.host)}`)
    expect(holder.healthChecks - before).toBe(FAILED_HOST_REPORTS_PER_MINUTE + 1)
  })

  it('keeps the placement when the reported failedHost is actually up', async () => {
    const { backend, token, roomId, holder } = await roomOnFirstOfTwo()
    const res = await joinRoom(backend, token, roomId, `?failedHost=${encodeURIComponent(holder.host)}`)
    expect(res.body.host).toBe(holder.host)
    expect(await epochOf(backend, roomId)).toBe(1)
  })

  it('checks a failedHost at once even when the room is not placed there (a drained server released it)', async () => {
    const [a, b] = [await fakeServer(), await fakeServer()]
    // No periodic round during the test: only the failedHost check can notice.
    const backend = await backendWith({ sessionServerHosts: [a.host, b.host], overrides: { healthCheckIntervalMs: 3_600_000 } })
    const { token } = await registerUser(backend)
    const roomId = await createRoom(backend, token)
    // An empty fleet breaks the tie by list order, so the room starts on a, and would go back there.
    expect((await joinRoom(backend, token, roomId)).body.host).toBe(a.host)
    await request(backend.url).post(`/internal/rooms/${roomId}/release`).set(service).send({ host: a.host, epoch: 1 }).expect(204)
    // Draining: alive (200), but its /healthz says it takes no rooms.
    a.draining = true
    const res = await joinRoom(backend, token, roomId, `?failedHost=${encodeURIComponent(a.host)}`)
    expect(res.body.host).toBe(b.host)
  })

  it('re-places a room once the periodic health check sees its server down', async () => {
    const { backend, token, roomId, holder, other } = await roomOnFirstOfTwo()
    holder.healthy = false
    // Wait for the condition (the next health round), not for a fixed time.
    let host = holder.host
    for (let attempt = 0; host === holder.host && attempt < 1000; attempt++) {
      await new Promise((resolve) => setImmediate(resolve))
      host = (await joinRoom(backend, token, roomId)).body.host
    }
    expect(host).toBe(other.host)
    expect(await epochOf(backend, roomId)).toBe(2)
  })
})

describe('LocalScheduler concurrency', () => {
  it('gives many concurrent first joins of one room one placement', async () => {
    const servers = [await fakeServer(), await fakeServer(), await fakeServer()]
    const backend = await backendWith({ sessionServerHosts: servers.map((s) => s.host) })
    const users = await Promise.all(Array.from({ length: 4 }, () => registerUser(backend)))
    const roomId = await createRoom(backend, users[0]!.token)
    const joins = await Promise.all(
      Array.from({ length: 24 }, (_, i) => joinRoom(backend, users[i % users.length]!.token, roomId)),
    )
    expect(joins.every((j) => j.status === 200)).toBe(true)
    expect(new Set(joins.map((j) => j.body.host)).size).toBe(1)
    expect(await epochOf(backend, roomId)).toBe(1)
  })

  it('makes two scheduler replicas on one database agree on one placement', async () => {
    const servers = [await fakeServer(), await fakeServer()]
    const backend = await backendWith({ sessionServerHosts: servers.map((s) => s.host) })
    const { token } = await registerUser(backend)
    const options = {
      placements: new PlacementStore(backend.db),
      logger: pino({ level: 'silent' }),
      // Opposite orders, so each replica alone would pick a different server for an empty fleet.
      maxRoomsPerServer: 10,
      healthCheckIntervalMs: 3_600_000,
      healthCheckTimeoutMs: 1000,
      pendingGraceMs: 10_000,
      maxPendingPlacementsPerUser: 3,
    }
    const replicas = [
      new LocalScheduler({ ...options, hosts: [servers[0]!.host, servers[1]!.host] }),
      new LocalScheduler({ ...options, hosts: [servers[1]!.host, servers[0]!.host] }),
    ]
    for (let i = 0; i < 5; i++) {
      const roomId = await createRoom(backend, token)
      const placements = await Promise.all(
        Array.from({ length: 6 }, (_, j) => replicas[j % 2]!.placeRoom(roomId)),
      )
      expect(new Set(placements.map((p) => `${p.host}#${p.epoch}`)).size).toBe(1)
    }
  })
})

describe('placements across a backend restart', () => {
  it('keeps rooms, messages and placements when the backend restarts on the same storage', async () => {
    const a = await fakeServer()
    const b = await fakeServer()
    const dataDir = process.env.TEST_DATABASE_URL ? undefined : await mkdtemp(join(tmpdir(), 'backend-restart-'))
    const schema = `restart_${randomBytes(6).toString('hex')}`
    if (dataDir) cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
    const storage = { dataDir, schema, sessionServerHosts: [a.host, b.host] }

    const before = await startTestBackend({ ...storage, keepData: true })
    const { token } = await registerUser(before)
    const roomId = await createRoom(before, token)
    const placed = await joinRoom(before, token, roomId)
    await before.close()

    const after = await backendWith(storage)
    const login = await request(after.url).get('/api/me').set(bearer(token))
    expect(login.status).toBe(200)
    const rejoined = await joinRoom(after, token, roomId)
    expect(rejoined.body.host).toBe(placed.body.host)
    expect(await epochOf(after, roomId)).toBe(1)
  })
})
