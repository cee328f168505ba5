import { randomUUID } from 'node:crypto'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { AuthResponse, JoinRoomResponse, ListRoomsResponse } from '@scalable-chat/backend-contract'
import { startTestBackend, type TestBackend } from '../src/testing/index.js'
import { bearer, createRoom, registerUser, startFakeSessionServer, useBackendBesideFakeSession, type FakeSessionServer } from './helpers.js'

const suite = useBackendBesideFakeSession({ allowGuests: true })
const api = () => request(suite.backend.url)

let guestCounter = 0
/** A fresh guest name (3–32 of `A-Za-z0-9_-`). */
const guestName = (prefix = 'guest') => `${prefix}_${process.pid}_${++guestCounter}`

async function enterAsGuest(backend: TestBackend, roomId: string, username = guestName()): Promise<AuthResponse> {
  const res = await request(backend.url).post('/api/auth/guest').send({ username, roomId })
  if (res.status !== 201) throw new Error(`guest entry failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body as AuthResponse
}

/** The claims of a JWT, unverified: what the session server will read from a room token. */
function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>
}

/** A room of a fresh owner, and the owner. */
async function ownedRoom(backend: TestBackend) {
  const owner = await registerUser(backend, 'owner')
  return { owner, roomId: await createRoom(backend, owner.token, 'Guests welcome') }
}

describe('guests turned off (the default)', () => {
  let closed: TestBackend
  beforeAll(async () => {
    closed = await startTestBackend({ sessionServerHosts: ['127.0.0.1:1'] })
  })
  afterAll(() => closed.close())

  it('says so on GET /api/auth/options, without a token', async () => {
    const res = await request(closed.url).get('/api/auth/options')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ guests: false })
  })

  it('refuses POST /api/auth/guest with 403 guests_disabled and creates nobody', async () => {
    const { roomId } = await ownedRoom(closed)
    const username = guestName()
    const res = await request(closed.url).post('/api/auth/guest').send({ username, roomId })
    expect(res.status).toBe(403)
    expect(res.body.error.code).toBe('guests_disabled')
    expect(await closed.db.query('SELECT 1 FROM users WHERE username = $1', [username])).toEqual([])
  })
})

describe('POST /api/auth/guest', () => {
  it('is offered: GET /api/auth/options says guests: true', async () => {
    expect((await api().get('/api/auth/options')).body).toEqual({ guests: true })
  })

  it('lets a name in as a guest member of the room, marked as a guest everywhere', async () => {
    const { roomId } = await ownedRoom(suite.backend)
    const username = guestName('Bo')
    const res = await api().post('/api/auth/guest').send({ username, roomId })
    expect(res.status).toBe(201)
    const { token, user } = res.body as AuthResponse
    expect(user).toEqual({ id: expect.any(String), username, guest: true })

    const me = await api().get('/api/me').set(bearer(token))
    expect(me.body).toEqual({ user })
    const list = (await api().get('/api/rooms').set(bearer(token))).body as ListRoomsResponse
    expect(list.rooms.map((room) => room.roomId)).toEqual([roomId])

    const join = await api().get(`/api/rooms/${roomId}`).set(bearer(token))
    expect(join.status).toBe(200)
    expect(claimsOf((join.body as JoinRoomResponse).token)).toMatchObject({ sub: user.id, username, roomId, guest: true })
    expect((await api().get(`/api/rooms/${roomId}/messages`).set(bearer(token))).status).toBe(200)
  })

  it('expires the guest token when the access ends (GUEST_TTL_HOURS), not USER_TOKEN_TTL_SECONDS from now', async () => {
    const { roomId } = await ownedRoom(suite.backend)
    const before = Date.now()
    const { token } = await enterAsGuest(suite.backend, roomId)
    const { exp, iat } = claimsOf(token) as { exp: number; iat: number }
    expect(exp * 1000).toBeGreaterThan(before + suite.backend.config.guestTtlSeconds * 1000 - 2000)
    expect(exp - iat).toBeLessThanOrEqual(suite.backend.config.guestTtlSeconds)
  })

  it('leaves account room tokens without the guest claim', async () => {
    const { owner, roomId } = await ownedRoom(suite.backend)
    const join = await api().get(`/api/rooms/${roomId}`).set(bearer(owner.token))
    expect(claimsOf((join.body as JoinRoomResponse).token)).not.toHaveProperty('guest')
    expect((await api().get('/api/me').set(bearer(owner.token))).body.user).not.toHaveProperty('guest')
  })

  it('applies the username rule (400 naming the field)', async () => {
    const { roomId } = await ownedRoom(suite.backend)
    const short = await api().post('/api/auth/guest').send({ username: 'ab', roomId })
    expect(short.status).toBe(400)
    expect(short.body.error).toEqual({ code: 'invalid_request', message: 'username: must be at least 3 characters' })
    const spaced = await api().post('/api/auth/guest').send({ username: 'Bo Guest', roomId })
    expect(spaced.body.error.message).toBe('username: may contain only letters, digits, _ and -')
    const extra = await api().post('/api/auth/guest').send({ username: guestName(), roomId, password: 'x' })
    expect(extra.status).toBe(400)
  })

  it('answers 404 room_not_found for a room that does not exist (or cannot be a room id), and creates nobody', async () => {
    const username = guestName()
    const res = await api().post('/api/auth/guest').send({ username, roomId: 'nosuchroom12' })
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('room_not_found')
    expect((await api().post('/api/auth/guest').send({ username, roomId: 'no such room!' })).status).toBe(404)
    expect(await suite.backend.db.query('SELECT 1 FROM users WHERE username = $1', [username])).toEqual([])
  })

  it('refuses a name held by an account or a live guest, in any case, with 409 username_taken both ways', async () => {
    const { owner, roomId } = await ownedRoom(suite.backend)
    const asAccount = await api().post('/api/auth/guest').send({ username: owner.user.username.toUpperCase(), roomId })
    expect(asAccount.status).toBe(409)
    expect(asAccount.body.error.code).toBe('username_taken')

    const guest = await enterAsGuest(suite.backend, roomId)
    const twice = await api().post('/api/auth/guest').send({ username: guest.user.username.toLowerCase(), roomId })
    expect(twice.status).toBe(409)
    const register = await api().post('/api/register').send({ username: guest.user.username, password: 'correct horse' })
    expect(register.status).toBe(409)
    expect(register.body.error.code).toBe('username_taken')
  })

  it('gives a login with a guest name the usual 401 invalid_credentials (a guest has no password)', async () => {
    const { roomId } = await ownedRoom(suite.backend)
    const guest = await enterAsGuest(suite.backend, roomId)
    const res = await api().post('/api/login').send({ username: guest.user.username, password: 'whatever it is' })
    expect(res.status).toBe(401)
    expect(res.body.error).toEqual({ code: 'invalid_credentials', message: 'wrong username or password' })
  })

  it('is rate-limited per IP like register and login', async () => {
    const limited = await startTestBackend({ sessionServerHosts: ['127.0.0.1:1'], overrides: { allowGuests: true, authRateLimitPerMinute: 2 } })
    try {
      const { roomId } = await ownedRoom(limited)
      // registerUser spent one attempt; this one spends the last.
      await enterAsGuest(limited, roomId)
      const refused = await request(limited.url).post('/api/auth/guest').send({ username: guestName(), roomId })
      expect(refused.status).toBe(429)
      expect(refused.body.error.code).toBe('rate_limited')
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    } finally {
      await limited.close()
    }
  })
})

describe("a guest's limits", () => {
  it('answers 403 guest_not_allowed to everything but its own room, and changes nothing', async () => {
    const { owner, roomId } = await ownedRoom(suite.backend)
    const other = await createRoom(suite.backend, owner.token, 'Members only')
    const { token, user } = await enterAsGuest(suite.backend, roomId)
    const as = bearer(token)

    const refusals = [
      await api().post('/api/rooms').set(as).send({ name: 'Mine now' }),
      await api().get('/api/rooms/public').set(as),
      await api().get(`/api/rooms/${other}`).set(as),
      await api().get(`/api/rooms/${other}/messages`).set(as),
      await api().post(`/api/rooms/${other}/leave`).set(as),
      // A room that does not exist gets the same answer: a guest learns nothing about other rooms.
      await api().get('/api/rooms/nosuchroom12').set(as),
      await api().patch(`/api/rooms/${roomId}`).set(as).send({ visibility: 'public' }),
      await api().delete(`/api/rooms/${roomId}`).set(as),
    ]
    for (const res of refusals) {
      expect(res.status).toBe(403)
      expect(res.body.error.code).toBe('guest_not_allowed')
      expect(res.body.error.message).toMatch(/^guests can/)
    }
    expect(await suite.backend.db.query('SELECT 1 FROM room_members WHERE room_id = $1 AND user_id = $2', [other, user.id])).toEqual([])
    expect(await suite.backend.db.query('SELECT 1 FROM rooms WHERE id = $1', [roomId])).toHaveLength(1)
    expect(await suite.backend.db.query("SELECT 1 FROM rooms WHERE name = 'Mine now'")).toEqual([])
  })

  it('may leave its own room, and join it again through the link', async () => {
    const { roomId } = await ownedRoom(suite.backend)
    const { token } = await enterAsGuest(suite.backend, roomId)
    expect((await api().post(`/api/rooms/${roomId}/leave`).set(bearer(token))).status).toBe(204)
    expect(((await api().get('/api/rooms').set(bearer(token))).body as ListRoomsResponse).rooms).toEqual([])
    expect((await api().get(`/api/rooms/${roomId}`).set(bearer(token))).status).toBe(200)
  })
})

describe('an owner leaving a room with guests', () => {
  it('hands the room to the earliest member with an account, never to a guest who joined before them', async () => {
    const { owner, roomId } = await ownedRoom(suite.backend)
    await enterAsGuest(suite.backend, roomId)
    const member = await registerUser(suite.backend, 'heir')
    await api().get(`/api/rooms/${roomId}`).set(bearer(member.token)).expect(200)
    expect((await api().post(`/api/rooms/${roomId}/leave`).set(bearer(owner.token))).status).toBe(204)
    const [room] = await suite.backend.db.query<{ owner_id: string }>('SELECT owner_id FROM rooms WHERE id = $1', [roomId])
    expect(room?.owner_id).toBe(member.user.id)
  })

  it('refuses with 409 last_member when only guests would remain, saying to delete the room instead', async () => {
    const { owner, roomId } = await ownedRoom(suite.backend)
    await enterAsGuest(suite.backend, roomId)
    const res = await api().post(`/api/rooms/${roomId}/leave`).set(bearer(owner.token))
    expect(res.status).toBe(409)
    expect(res.body.error.code).toBe('last_member')
    expect(res.body.error.message).toMatch(/only guests would remain.*delete it instead/)
    const [room] = await suite.backend.db.query<{ owner_id: string }>('SELECT owner_id FROM rooms WHERE id = $1', [roomId])
    expect(room?.owner_id).toBe(owner.user.id)
  })

  it('deletes the room with its guests', async () => {
    const { owner, roomId } = await ownedRoom(suite.backend)
    const guest = await enterAsGuest(suite.backend, roomId)
    expect((await api().delete(`/api/rooms/${roomId}`).set(bearer(owner.token))).status).toBe(204)
    expect(await suite.backend.db.query('SELECT 1 FROM users WHERE id = $1', [guest.user.id])).toEqual([])
  })
})

describe('expiry', () => {
  let session: FakeSessionServer
  let shortLived: TestBackend
  beforeAll(async () => {
    session = await startFakeSessionServer()
    // Two seconds of access (a whole second at least, as tokens count whole seconds), swept often.
    shortLived = await startTestBackend({
      sessionServerHosts: [session.host],
      overrides: { allowGuests: true, guestTtlSeconds: 2, guestSweepIntervalMs: 100 },
    })
  })
  afterAll(async () => {
    await shortLived.close()
    await session.close()
  })

  it('refuses the token once the access ended, frees the name, and the sweep deletes the guest and its membership but keeps its messages', async () => {
    const { roomId } = await ownedRoom(shortLived)
    const { token, user } = await enterAsGuest(shortLived, roomId)
    const join = await request(shortLived.url).get(`/api/rooms/${roomId}`).set(bearer(token))
    expect(join.status).toBe(200)
    // Its room token ends with its access, not ROOM_TOKEN_TTL_SECONDS (300) from now.
    expect(claimsOf((join.body as JoinRoomResponse).token).exp).toBe(claimsOf(token).exp)
    // What the guest said: messages have no foreign key to users, so they outlive it.
    await shortLived.db.query(
      `INSERT INTO messages (room_id, seq, id, user_id, username, client_id, text, created_at)
       VALUES ($1, 1, $2, $3, $4, 'c1', 'hello from a guest', now())`,
      [roomId, randomUUID(), user.id, user.username],
    )

    await vi.waitFor(
      async () => expect((await request(shortLived.url).get('/api/me').set(bearer(token))).status).toBe(401),
      { timeout: 5000, interval: 100 },
    )
    await vi.waitFor(
      async () => expect(await shortLived.db.query('SELECT 1 FROM users WHERE id = $1', [user.id])).toEqual([]),
      { timeout: 5000, interval: 100 },
    )
    expect(await shortLived.db.query('SELECT 1 FROM room_members WHERE user_id = $1', [user.id])).toEqual([])
    expect(await shortLived.db.query('SELECT text FROM messages WHERE user_id = $1', [user.id])).toEqual([{ text: 'hello from a guest' }])
    // The room's session server is told, so it closes the guest's sockets and drops it from the list.
    await vi.waitFor(() =>
      expect(session.requests.map((r) => r.url)).toContain(`/internal/rooms/${roomId}/members/${user.id}/left`),
    )
    expect((await request(shortLived.url).get(`/api/rooms/${roomId}`).set(bearer(token))).status).toBe(401)
    // The name is free again, for a guest or an account.
    expect((await request(shortLived.url).post('/api/register').send({ username: user.username, password: 'correct horse' })).status).toBe(201)
  })

  it('frees the name of an expired guest at once, before any sweep', async () => {
    await shortLived.guestSweeper.stop()
    const { roomId } = await ownedRoom(shortLived)
    const guest = await enterAsGuest(shortLived, roomId)
    // As though the access had ended a minute ago (the sweep is stopped, so the row stays).
    await shortLived.db.query("UPDATE users SET expires_at = now() - interval '1 minute' WHERE id = $1", [guest.user.id])
    const again = await enterAsGuest(shortLived, roomId, guest.user.username)
    expect(again.user.id).not.toBe(guest.user.id)
  })
})
