/**
 * One placement contract, run over every Scheduler implementation. Each harness knows how to give
 * its Scheduler a set of live session servers (stand-ins that answer `/healthz`) and how a server
 * goes down; the tests only join rooms through the public API and read `placements`.
 *
 * Adding an implementation is one entry in `harnesses` (Hathora: a harness that starts the local
 * fake of Hathora's API and sets `SCHEDULER=hathora`).
 */
import request from 'supertest'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { JoinRoomResponse } from '@scalable-chat/backend-contract'
import { startTestBackend, type TestBackend } from '../src/testing/index.js'
import { bearer, createRoom, deadHost, registerUser, service, startFakeSessionServer, type FakeSessionServer } from './helpers.js'

interface Harness {
  name: string
  /** A backend whose Scheduler places rooms on `servers` (and only on them). */
  start(servers: FakeSessionServer[], maxRoomsPerServer?: number): Promise<TestBackend>
  /** A backend whose Scheduler has no server it could use. */
  startWithoutServers(): Promise<TestBackend>
  /** `server` starts draining, the way this Scheduler learns of it. */
  drain(backend: TestBackend, server: FakeSessionServer): Promise<void>
}

const harnesses: Harness[] = [
  {
    name: 'LocalScheduler',
    start: (servers, maxRoomsPerServer = 10) =>
      startTestBackend({ sessionServerHosts: servers.map((s) => s.host), overrides: { maxRoomsPerServer } }),
    startWithoutServers: async () => startTestBackend({ sessionServerHosts: [await deadHost()] }),
    // Its `/healthz` says so; the health check (or a failedHost probe) reads it.
    drain: async (_backend, server) => {
      server.draining = true
    },
  },
  {
    name: 'FleetScheduler',
    async start(servers, maxRoomsPerServer = 10) {
      const backend = await startTestBackend({ sessionServerHosts: [], overrides: { scheduler: 'fleet', maxRoomsPerServer } })
      // Each stand-in registers itself, as a real session server does at start-up.
      for (const server of servers) {
        await request(backend.url).post('/internal/servers/register').set(service).send({ host: server.host }).expect(204)
      }
      return backend
    },
    startWithoutServers: () => startTestBackend({ sessionServerHosts: [], overrides: { scheduler: 'fleet' } }),
    drain: async (backend, server) => {
      server.draining = true
      await request(backend.url)
        .post('/internal/servers/heartbeat')
        .set(service)
        .send({ host: server.host, rooms: 1, members: 1, draining: true })
        .expect(204)
    },
  },
]

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function servers(count: number): Promise<FakeSessionServer[]> {
  const started = await Promise.all(Array.from({ length: count }, () => startFakeSessionServer()))
  for (const server of started) cleanups.push(() => server.close())
  return started
}

function track(backend: TestBackend): TestBackend {
  cleanups.push(() => backend.close())
  return backend
}

async function joinRoom(backend: TestBackend, token: string, roomId: string, failedHost?: string) {
  const res = await request(backend.url)
    .get(`/api/rooms/${roomId}`)
    .query(failedHost ? { failedHost } : {})
    .set(bearer(token))
  return { status: res.status, body: res.body as JoinRoomResponse & { error?: { code: string } } }
}

async function placementOf(backend: TestBackend, roomId: string) {
  const rows = await backend.db.query<{ host: string | null; epoch: unknown }>(
    'SELECT host, epoch FROM placements WHERE room_id = $1',
    [roomId],
  )
  return { host: rows[0]?.host ?? null, epoch: Number(rows[0]?.epoch) }
}

/** Marks the room loaded by its session server, as a real one does on the first connection. */
async function load(backend: TestBackend, roomId: string, host: string) {
  await request(backend.url).get(`/internal/rooms/${roomId}`).query({ host }).set(service).expect(200)
}

describe.each(harnesses)('Scheduler contract: $name', (harness) => {
  it('spreads new rooms over the servers, least loaded first', async () => {
    const [a, b] = await servers(2)
    const backend = track(await harness.start([a!, b!]))
    const { token } = await registerUser(backend)
    const hosts: string[] = []
    for (let i = 0; i < 4; i++) {
      const roomId = await createRoom(backend, token)
      const joined = await joinRoom(backend, token, roomId)
      await load(backend, roomId, joined.body.host)
      hosts.push(joined.body.host)
    }
    expect(hosts.filter((h) => h === a!.host)).toHaveLength(2)
    expect(hosts.filter((h) => h === b!.host)).toHaveLength(2)
  })

  it('keeps a room where it is: joining again returns the same host and epoch', async () => {
    const backend = track(await harness.start(await servers(2)))
    const { token } = await registerUser(backend)
    const roomId = await createRoom(backend, token)
    const first = await joinRoom(backend, token, roomId)
    const again = await joinRoom(backend, token, roomId)
    expect(again.body.host).toBe(first.body.host)
    expect(await placementOf(backend, roomId)).toEqual({ host: first.body.host, epoch: 1 })
  })

  it('answers 503 no_capacity when every server is full, and places nothing', async () => {
    const [a] = await servers(1)
    const backend = track(await harness.start([a!], 2))
    const { token } = await registerUser(backend)
    for (let i = 0; i < 2; i++) expect((await joinRoom(backend, token, await createRoom(backend, token))).body.host).toBe(a!.host)
    const third = await createRoom(backend, token)
    const full = await joinRoom(backend, token, third)
    expect(full.status).toBe(503)
    expect(full.body.error?.code).toBe('no_capacity')
    expect((await placementOf(backend, third)).host).toBeNull()
  })

  it('answers 503 no_servers when no server can take a room', async () => {
    const backend = track(await harness.startWithoutServers())
    const { token } = await registerUser(backend)
    const res = await joinRoom(backend, token, await createRoom(backend, token))
    expect(res.status).toBe(503)
    expect(res.body.error?.code).toBe('no_servers')
  })

  it('re-places a room whose server is down when a client reports it, with a higher epoch, and tells the old server', async () => {
    const [a, b] = await servers(2)
    const backend = track(await harness.start([a!, b!]))
    const { token } = await registerUser(backend)
    const roomId = await createRoom(backend, token)
    const first = await joinRoom(backend, token, roomId)
    const [holder, other] = first.body.host === a!.host ? [a!, b!] : [b!, a!]
    holder.healthy = false
    const moved = await joinRoom(backend, token, roomId, holder.host)
    expect(moved.body.host).toBe(other.host)
    expect(await placementOf(backend, roomId)).toEqual({ host: other.host, epoch: 2 })
    // Best effort and not awaited by the join: the old server closes its stale copy (ROOM_MOVED).
    await vi.waitFor(() =>
      expect(holder.requests).toContainEqual(expect.objectContaining({ method: 'POST', url: `/internal/rooms/${roomId}/moved` })),
    )
    expect(other.requests).toEqual([])
  })

  it('does NOT move a room when the server a client reports as failed is actually up', async () => {
    const backend = track(await harness.start(await servers(2)))
    const { token } = await registerUser(backend)
    const roomId = await createRoom(backend, token)
    const first = await joinRoom(backend, token, roomId)
    const again = await joinRoom(backend, token, roomId, first.body.host)
    expect(again.body.host).toBe(first.body.host)
    expect((await placementOf(backend, roomId)).epoch).toBe(1)
  })

  it('does NOT move a room on one failed check of a reported server: a second check must confirm it', async () => {
    const fleet = await servers(2)
    const backend = track(await harness.start(fleet))
    const { token } = await registerUser(backend)
    const roomId = await createRoom(backend, token)
    const first = await joinRoom(backend, token, roomId)
    const holder = fleet.find((s) => s.host === first.body.host)!
    holder.healthFailures = 1
    const again = await joinRoom(backend, token, roomId, holder.host)
    expect(again.body.host).toBe(holder.host)
    expect((await placementOf(backend, roomId)).epoch).toBe(1)
    expect(holder.healthFailures).toBe(0)
  })

  it('keeps a room on a draining server even when a client reports it, and places NO new room there', async () => {
    const [a, b] = await servers(2)
    const backend = track(await harness.start([a!, b!]))
    const { token } = await registerUser(backend)
    const roomId = await createRoom(backend, token)
    const first = await joinRoom(backend, token, roomId)
    await load(backend, roomId, first.body.host)
    const [holder, other] = first.body.host === a!.host ? [a!, b!] : [b!, a!]
    await harness.drain(backend, holder)

    const again = await joinRoom(backend, token, roomId, holder.host)
    expect(again.body.host).toBe(holder.host)
    expect(await placementOf(backend, roomId)).toEqual({ host: holder.host, epoch: 1 })
    for (let i = 0; i < 3; i++) {
      expect((await joinRoom(backend, token, await createRoom(backend, token))).body.host).toBe(other.host)
    }
  })

  it('frees the slot of a released room for another room', async () => {
    const [a] = await servers(1)
    const backend = track(await harness.start([a!], 1))
    const { token } = await registerUser(backend)
    const [first, second] = [await createRoom(backend, token), await createRoom(backend, token)]
    await joinRoom(backend, token, first)
    await load(backend, first, a!.host)
    expect((await joinRoom(backend, token, second)).status).toBe(503)
    const { epoch } = await placementOf(backend, first)
    await request(backend.url).post(`/internal/rooms/${first}/release`).set(service).send({ host: a!.host, epoch }).expect(204)
    expect((await joinRoom(backend, token, second)).status).toBe(200)
  })

  it('gives many concurrent first joins of one room one placement', async () => {
    const backend = track(await harness.start(await servers(3)))
    const users = await Promise.all(Array.from({ length: 4 }, () => registerUser(backend)))
    const roomId = await createRoom(backend, users[0]!.token)
    const joins = await Promise.all(
      Array.from({ length: 24 }, (_, i) => joinRoom(backend, users[i % users.length]!.token, roomId)),
    )
    expect(joins.every((j) => j.status === 200)).toBe(true)
    expect(new Set(joins.map((j) => j.body.host)).size).toBe(1)
    expect((await placementOf(backend, roomId)).epoch).toBe(1)
  })
})
