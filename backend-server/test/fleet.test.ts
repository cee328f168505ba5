/**
 * SCHEDULER=fleet beyond the shared contract (schedulerContract.test.ts): the fleet's internal API,
 * draining, missed heartbeats, deregistration, servers that come back, and replicas that share
 * one database.
 */
import { pino } from 'pino'
import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../src/app.js'
import type { JoinRoomResponse } from '@scalable-chat/backend-contract'
import { startTestBackend, type TestBackend } from '../src/testing/index.js'
import { bearer, createRoom, registerUser, service, startFakeSessionServer, type FakeSessionServer } from './helpers.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** Placement itself is under test, so the join path asks the Scheduler every time (no CachedScheduler). */
async function fleetBackend(): Promise<TestBackend> {
  const backend = await startTestBackend({ sessionServerHosts: [], overrides: { scheduler: 'fleet', placementCacheTtlMs: 0 } })
  cleanups.push(() => backend.close())
  return backend
}

async function fakeServers(count: number): Promise<FakeSessionServer[]> {
  const started = await Promise.all(Array.from({ length: count }, () => startFakeSessionServer()))
  for (const server of started) cleanups.push(() => server.close())
  return started
}

const heartbeat = (backend: TestBackend, body: object) =>
  request(backend.url).post('/internal/servers/heartbeat').set(service).send(body)
const registerServer = (backend: TestBackend, host: string) =>
  request(backend.url).post('/internal/servers/register').set(service).send({ host }).expect(204)

async function join(backend: TestBackend, token: string, roomId: string) {
  const res = await request(backend.url).get(`/api/rooms/${roomId}`).set(bearer(token))
  return { status: res.status, body: res.body as JoinRoomResponse & { error?: { code: string } } }
}

async function fleetRows(backend: TestBackend) {
  return backend.db.query<{ host: string; rooms: number; members: number; draining: boolean }>(
    'SELECT host, rooms, members, draining FROM fleet_servers ORDER BY host',
  )
}

describe('fleet internal API', () => {
  it('registers a server, records its heartbeats, and forgets it on deregister', async () => {
    const backend = await fleetBackend()
    await registerServer(backend, 'wss://sessions.example.com/s/session-0')
    await heartbeat(backend, { host: 'wss://sessions.example.com/s/session-0', rooms: 3, members: 12, draining: false }).expect(204)
    expect(await fleetRows(backend)).toEqual([
      { host: 'wss://sessions.example.com/s/session-0', rooms: 3, members: 12, draining: false },
    ])
    await request(backend.url)
      .post('/internal/servers/deregister')
      .set(service)
      .send({ host: 'wss://sessions.example.com/s/session-0' })
      .expect(204)
    expect(await fleetRows(backend)).toEqual([])
  })

  it('refuses a bad address or report with 400 and changes nothing', async () => {
    const backend = await fleetBackend()
    for (const body of [
      { host: 'https://not-a-ws-url.example.com', rooms: 0, members: 0, draining: false },
      { host: 'wss://edge.example.com/s/1?x=1', rooms: 0, members: 0, draining: false },
      { host: 'h:1', rooms: -1, members: 0, draining: false },
      { host: 'h:1', rooms: 0, members: 0 },
      { host: 'h:1', rooms: 0, members: 0, draining: false, extra: true },
    ]) {
      await heartbeat(backend, body).expect(400)
    }
    await request(backend.url).post('/internal/servers/heartbeat').send({ host: 'h:1', rooms: 0, members: 0, draining: false }).expect(401)
    expect(await fleetRows(backend)).toEqual([])
  })
})

describe('FleetScheduler', () => {
  it('places a new room on the server with the most headroom, members breaking ties', async () => {
    const backend = await fleetBackend()
    const [busy, quiet] = await fakeServers(2)
    await heartbeat(backend, { host: busy!.host, rooms: 0, members: 50, draining: false }).expect(204)
    await heartbeat(backend, { host: quiet!.host, rooms: 0, members: 2, draining: false }).expect(204)
    const { token } = await registerUser(backend)
    expect((await join(backend, token, await createRoom(backend, token))).body.host).toBe(quiet!.host)
    // quiet now holds one room, so busy has more headroom despite its members.
    expect((await join(backend, token, await createRoom(backend, token))).body.host).toBe(busy!.host)
  })

  it('never places a new room on a draining server, but leaves its rooms there until released', async () => {
    const backend = await fleetBackend()
    const [a, b] = await fakeServers(2)
    await registerServer(backend, a!.host)
    const { token } = await registerUser(backend)
    const roomId = await createRoom(backend, token)
    expect((await join(backend, token, roomId)).body.host).toBe(a!.host)
    await registerServer(backend, b!.host)
    await heartbeat(backend, { host: a!.host, rooms: 1, members: 1, draining: true }).expect(204)
    for (let i = 0; i < 3; i++) expect((await join(backend, token, await createRoom(backend, token))).body.host).toBe(b!.host)
    expect((await join(backend, token, roomId)).body.host).toBe(a!.host)

    await request(backend.url).post('/internal/servers/deregister').set(service).send({ host: a!.host }).expect(204)
    expect((await join(backend, token, roomId)).body.host).toBe(b!.host)
  })

  it('moves the rooms of a server that missed its heartbeats', async () => {
    const backend = await fleetBackend()
    const [a, b] = await fakeServers(2)
    await registerServer(backend, a!.host)
    const { token } = await registerUser(backend)
    const roomId = await createRoom(backend, token)
    expect((await join(backend, token, roomId)).body.host).toBe(a!.host)
    await registerServer(backend, b!.host)
    // a's last heartbeat is now older than FLEET_HEARTBEAT_TIMEOUT_MS (the clock is the database's).
    await backend.db.query(`UPDATE fleet_servers SET last_seen_at = now() - interval '1 minute' WHERE host = $1`, [a!.host])
    expect((await join(backend, token, roomId)).body.host).toBe(b!.host)
  })

  it('does NOT give a server that comes back the rooms that moved away from it', async () => {
    const backend = await fleetBackend()
    const [a, b] = await fakeServers(2)
    await registerServer(backend, a!.host)
    const { token } = await registerUser(backend)
    const roomId = await createRoom(backend, token)
    await join(backend, token, roomId)
    await registerServer(backend, b!.host)
    await backend.db.query(`UPDATE fleet_servers SET last_seen_at = now() - interval '1 minute' WHERE host = $1`, [a!.host])
    expect((await join(backend, token, roomId)).body.host).toBe(b!.host)
    // a returns (restarted: registers; or only partitioned: heartbeats again).
    await heartbeat(backend, { host: a!.host, rooms: 1, members: 0, draining: false }).expect(204)
    await registerServer(backend, a!.host)
    expect((await join(backend, token, roomId)).body.host).toBe(b!.host)
  })

  it('makes two backends on one database agree on the fleet and on placements', async () => {
    const first = await fleetBackend()
    // A second backend process on the same storage: its own app, Scheduler and stores.
    const { app: second } = createApp({ config: first.config, db: first.db, logger: pino({ level: 'silent' }) })
    const [a, b] = await fakeServers(2)
    // a registers through one backend, b through the other.
    await registerServer(first, a!.host)
    await request(second).post('/internal/servers/register').set(service).send({ host: b!.host }).expect(204)
    const { token } = await registerUser(first)
    const hosts = new Set<string>()
    for (let i = 0; i < 4; i++) {
      const roomId = await createRoom(first, token)
      const viaSecond = await request(second).get(`/api/rooms/${roomId}`).set(bearer(token)).expect(200)
      const viaFirst = await join(first, token, roomId)
      expect(viaFirst.body.host).toBe((viaSecond.body as JoinRoomResponse).host)
      hosts.add(viaFirst.body.host)
    }
    expect(hosts).toEqual(new Set([a!.host, b!.host]))
  })
})
