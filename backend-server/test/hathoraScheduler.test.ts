import { decodeJwt } from 'jose'
import { pino } from 'pino'
import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import type { JoinRoomResponse } from '@scalable-chat/backend-contract'
import { loadConfig } from '../src/config.js'
import { HathoraScheduler } from '../src/scheduler/HathoraScheduler.js'
import { PlacementStore } from '../src/storage/PlacementStore.js'
import { startFakeHathora, startTestBackend, TEST_JWT_SECRET, TEST_SERVICE_TOKEN, type FakeHathora, type TestBackend } from '../src/testing/index.js'
import { bearer, createRoom, deadHost, newMessage, registerUser, service } from './helpers.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function fakeHathora(): Promise<FakeHathora> {
  const fake = await startFakeHathora()
  cleanups.push(() => fake.close())
  return fake
}

/** The environment that selects the HathoraScheduler; polls are fast so tests stay quick. */
function hathoraEnv(apiUrl: string, fake: { appId: string; token: string }, extra: Record<string, string> = {}) {
  return {
    HATHORA_APP_ID: fake.appId,
    HATHORA_TOKEN: fake.token,
    HATHORA_REGION: 'Frankfurt',
    HATHORA_API_URL: apiUrl,
    HATHORA_POLL_INTERVAL_MS: '5',
    HATHORA_MAX_RETRIES: '3',
    ...extra,
  }
}

/** Placement itself is under test, so the join path asks the Scheduler every time (no CachedScheduler). */
async function backendOn(fake: FakeHathora, extra: Record<string, string> = {}): Promise<TestBackend> {
  const backend = await startTestBackend({ sessionServerHosts: [], env: hathoraEnv(fake.url, fake, { PLACEMENT_CACHE_TTL_MS: '0', ...extra }) })
  cleanups.push(() => backend.close())
  return backend
}

async function join(backend: TestBackend, token: string, roomId: string) {
  const res = await request(backend.url).get(`/api/rooms/${roomId}`).set(bearer(token))
  return { status: res.status, body: res.body as JoinRoomResponse & { error?: { code: string; message: string } } }
}

async function placementOf(backend: TestBackend, roomId: string) {
  const rows = await backend.db.query<{ host: string | null; epoch: unknown }>(
    'SELECT host, epoch FROM placements WHERE room_id = $1',
    [roomId],
  )
  return { host: rows[0]?.host ?? null, epoch: Number(rows[0]?.epoch) }
}

describe('HathoraScheduler', () => {
  it('is what the backend runs when HATHORA_APP_ID is set', async () => {
    const fake = await fakeHathora()
    const backend = await backendOn(fake)
    expect(backend.config.scheduler).toBe('hathora')
    expect(backend.scheduler).toBeInstanceOf(HathoraScheduler)
  })

  it('creates the Hathora room with our roomId in HATHORA_REGION, polls until it is active, and hands the client its host:port', async () => {
    const fake = await fakeHathora()
    fake.activateAfterPolls = 3
    const backend = await backendOn(fake)
    const { token } = await registerUser(backend)
    const roomId = await createRoom(backend, token)

    const joined = await join(backend, token, roomId)
    expect(joined.status).toBe(200)
    const room = fake.room(roomId)
    expect(room).toMatchObject({ status: 'active', region: 'Frankfurt' })
    expect(joined.body.host).toBe(room!.host)
    expect(joined.body.host).toMatch(/^abc123\.edge\.hathora\.dev:\d+$/)
    // The room token is bound to that same host:port, which the session server checks.
    expect(decodeJwt(joined.body.token)).toMatchObject({ roomId, host: room!.host })
    expect(fake.createCalls(roomId)).toBe(1)
    expect(fake.calls.filter((c) => c.route === 'connectioninfo' && c.roomId === roomId).length).toBeGreaterThanOrEqual(4)
    expect(fake.calls.find((c) => c.route === 'create')?.authorization).toBe(`Bearer ${fake.token}`)
    expect(await placementOf(backend, roomId)).toEqual({ host: room!.host, epoch: 1 })

    const again = await join(backend, token, roomId)
    expect(again.body.host).toBe(room!.host)
    expect(fake.createCalls(roomId)).toBe(1)
    expect(await placementOf(backend, roomId)).toEqual({ host: room!.host, epoch: 1 })
  })

  it('answers 503 room_start_timeout when the room never becomes active, and places nothing', async () => {
    const fake = await fakeHathora()
    fake.activateAfterPolls = Infinity
    const backend = await backendOn(fake, { HATHORA_ACTIVATION_TIMEOUT_MS: '150' })
    const { token } = await registerUser(backend)
    const roomId = await createRoom(backend, token)

    const joined = await join(backend, token, roomId)
    expect(joined.status).toBe(503)
    expect(joined.body.error?.code).toBe('room_start_timeout')
    expect(fake.createCalls(roomId)).toBe(1)
    expect(await placementOf(backend, roomId)).toEqual({ host: null, epoch: 0 })

    // Hathora gives up on the stuck room; once it starts rooms again, the next join gets a fresh one.
    fake.activateAfterPolls = 0
    fake.destroyRoom(roomId)
    const later = await join(backend, token, roomId)
    expect(later.status).toBe(200)
  })

  it('retries a 429 on create and on connection info, creating the room once', async () => {
    const fake = await fakeHathora()
    const backend = await backendOn(fake)
    const { token } = await registerUser(backend)
    const roomId = await createRoom(backend, token)
    fake.failNext('create', 429)
    fake.failNext('connectioninfo', 429, 2)

    const joined = await join(backend, token, roomId)
    expect(joined.status).toBe(200)
    expect(joined.body.host).toBe(fake.room(roomId)?.host)
    // Two create calls: the refused one (429 creates nothing) and the one that worked.
    expect(fake.createCalls(roomId)).toBe(2)
  })

  it('answers 503 scheduler_unavailable when Hathora keeps answering 500, and works once it recovers', async () => {
    const fake = await fakeHathora()
    const backend = await backendOn(fake)
    const { token } = await registerUser(backend)
    const roomId = await createRoom(backend, token)
    fake.failNext('create', 500, 4)

    const joined = await join(backend, token, roomId)
    expect(joined.status).toBe(503)
    expect(joined.body.error).toEqual({ code: 'scheduler_unavailable', message: 'Hathora createRoom failed (HTTP 500)' })
    expect(fake.createCalls(roomId)).toBe(4) // the first try and HATHORA_MAX_RETRIES=3 retries, no more
    expect(fake.room(roomId)).toBeUndefined()
    expect(await placementOf(backend, roomId)).toEqual({ host: null, epoch: 0 })

    expect((await join(backend, token, roomId)).status).toBe(200)
  })

  it('keeps a placed room where it is while Hathora answers 500, instead of turning users away', async () => {
    const fake = await fakeHathora()
    const backend = await backendOn(fake)
    const { token } = await registerUser(backend)
    const roomId = await createRoom(backend, token)
    const first = await join(backend, token, roomId)
    fake.failNext('connectioninfo', 500, 4)

    const again = await join(backend, token, roomId)
    expect(again.status).toBe(200)
    expect(again.body.host).toBe(first.body.host)
    expect(await placementOf(backend, roomId)).toEqual({ host: first.body.host, epoch: 1 })
    expect(fake.createCalls(roomId)).toBe(1)
  })

  it('does NOT create the room twice when the create response is lost: it finds the room first', async () => {
    const fake = await fakeHathora()
    const backend = await backendOn(fake)
    const { token } = await registerUser(backend)
    const roomId = await createRoom(backend, token)
    fake.loseNextCreateResponse()

    const joined = await join(backend, token, roomId)
    expect(joined.status).toBe(200)
    expect(fake.createCalls(roomId)).toBe(1)
    expect(joined.body.host).toBe(fake.room(roomId)?.host)
  })

  it('re-creates a room Hathora destroyed on the next join, under the same roomId, with its history intact', async () => {
    const fake = await fakeHathora()
    const backend = await backendOn(fake)
    const { token, user } = await registerUser(backend)
    const roomId = await createRoom(backend, token)
    const first = await join(backend, token, roomId)
    const placed = await placementOf(backend, roomId)
    // The session server on the first Hathora room loads the room and stores a message.
    await request(backend.url).get(`/internal/rooms/${roomId}`).query({ host: first.body.host }).set(service).expect(200)
    await request(backend.url)
      .post(`/internal/rooms/${roomId}/messages`)
      .set(service)
      .send({ host: first.body.host, epoch: placed.epoch, afterSeq: 0, entries: [newMessage(user, 'c1', 'before the reaping')] })
      .expect(200)

    fake.destroyRoom(roomId) // idle reaping, or the process crashed
    const rejoined = await join(backend, token, roomId)
    expect(rejoined.status).toBe(200)
    expect(fake.createCalls(roomId)).toBe(2)
    expect(rejoined.body.host).toBe(fake.room(roomId)?.host)
    expect(rejoined.body.host).not.toBe(first.body.host)
    expect(await placementOf(backend, roomId)).toEqual({ host: rejoined.body.host, epoch: placed.epoch + 1 })

    const loaded = await request(backend.url)
      .get(`/internal/rooms/${roomId}`)
      .query({ host: rejoined.body.host })
      .set(service)
      .expect(200)
    expect(loaded.body.messages.map((m: { text: string }) => m.text)).toEqual(['before the reaping'])
    // The old server is fenced off.
    await request(backend.url)
      .post(`/internal/rooms/${roomId}/messages`)
      .set(service)
      .send({ host: first.body.host, epoch: placed.epoch, afterSeq: 1, entries: [newMessage(user, 'c2')] })
      .expect(409)
  })

  it('creates a room once for concurrent joins, in one backend and across two replicas', async () => {
    const fake = await fakeHathora()
    const backend = await backendOn(fake)
    const { token } = await registerUser(backend)
    const roomId = await createRoom(backend, token)
    const joins = await Promise.all(Array.from({ length: 6 }, () => join(backend, token, roomId)))
    expect(new Set(joins.map((j) => `${j.status} ${j.body.host}`)).size).toBe(1)
    expect(joins[0]!.status).toBe(200)
    expect(fake.createCalls(roomId)).toBe(1)

    const config = loadConfig({
      JWT_SECRET: TEST_JWT_SECRET,
      SERVICE_TOKEN: TEST_SERVICE_TOKEN,
      ...hathoraEnv(fake.url, fake),
    }).hathora!
    const replicas = [0, 1].map(() => new HathoraScheduler({
      ...config,
      pendingGraceMs: 10_000,
      maxPendingPlacementsPerUser: 3,
      placements: new PlacementStore(backend.db),
      logger: pino({ level: 'silent' }),
    }))
    const other = await createRoom(backend, token)
    const placements = await Promise.all(Array.from({ length: 6 }, (_, i) => replicas[i % 2]!.placeRoom(other)))
    expect(new Set(placements.map((p) => `${p.host}#${p.epoch}`)).size).toBe(1)
    // The losing replica's create is refused (the room exists) and it reads the winner's room.
    expect(fake.room(other)).toBeDefined()
    expect(fake.calls.filter((c) => c.route === 'create' && c.roomId === other).length).toBeLessThanOrEqual(2)
  })

  it('answers 503 scheduler_unavailable at once when Hathora refuses the token, and when nobody answers', async () => {
    const fake = await fakeHathora()
    const backend = await backendOn(fake, { HATHORA_TOKEN: 'wrong-token' })
    const { token } = await registerUser(backend)
    const roomId = await createRoom(backend, token)
    const refused = await join(backend, token, roomId)
    expect(refused.status).toBe(503)
    expect(refused.body.error).toEqual({ code: 'scheduler_unavailable', message: 'Hathora createRoom failed (HTTP 401)' })
    expect(fake.createCalls(roomId)).toBe(1)

    const nowhere = await startTestBackend({
      sessionServerHosts: [],
      env: hathoraEnv(`http://${await deadHost()}`, fake),
    })
    cleanups.push(() => nowhere.close())
    const user = await registerUser(nowhere)
    const unreachable = await join(nowhere, user.token, await createRoom(nowhere, user.token))
    expect(unreachable.status).toBe(503)
    expect(unreachable.body.error).toEqual({
      code: 'scheduler_unavailable',
      message: 'Hathora getConnectionInfo failed (ConnectionError)',
    })
  })

  it('destroys the Hathora room when its chat room is deleted', async () => {
    const fake = await fakeHathora()
    const backend = await backendOn(fake)
    const { token } = await registerUser(backend)
    const roomId = await createRoom(backend, token)
    await join(backend, token, roomId)
    expect(fake.room(roomId)).toBeDefined()

    await request(backend.url).delete(`/api/rooms/${roomId}`).set(bearer(token)).expect(204)
    expect(fake.room(roomId)).toBeUndefined()
    expect(fake.calls.find((c) => c.route === 'destroy')).toEqual({
      route: 'destroy',
      roomId,
      authorization: `Bearer ${fake.token}`,
    })
  })
})
