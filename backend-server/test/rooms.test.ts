import { jwtVerify } from 'jose'
import { createPublicKey } from 'node:crypto'
import request from 'supertest'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ChatMessage, HistoryResponse, JoinRoomResponse, RoomSummary } from '@scalable-chat/backend-contract'
import { RoomTokenClaims, roomTokenKeyId, TokenAudience } from '@scalable-chat/backend-contract/internal'
import { startTestBackend, TEST_ROOM_TOKEN_PUBLIC_KEY, TEST_SERVICE_TOKEN } from '../src/testing/index.js'
import { bearer, createRoom, newMessage, registerUser, service, useBackendBesideFakeSession } from './helpers.js'

const suite = useBackendBesideFakeSession()

const api = () => request(suite.backend.url)

async function join(token: string, roomId: string): Promise<JoinRoomResponse> {
  const res = await api().get(`/api/rooms/${roomId}`).set(bearer(token))
  expect(res.status).toBe(200)
  return res.body as JoinRoomResponse
}

/** Stores `count` messages in the room the way its suite.session server would. */
async function storeMessages(roomId: string, user: { id: string; username: string }, count: number): Promise<void> {
  const load = await api().get(`/internal/rooms/${roomId}`).query({ host: suite.session.host }).set(service)
  expect(load.status).toBe(200)
  const messages = Array.from({ length: count }, (_, i) => newMessage(user, `c${i + 1}`))
  const res = await api()
    .post(`/internal/rooms/${roomId}/messages`)
    .set(service)
    .send({ host: suite.session.host, epoch: load.body.epoch, afterSeq: load.body.seq, entries: messages })
  expect(res.status).toBe(200)
}

describe('POST /api/rooms', () => {
  it('creates a room with a 12-character url-safe id, owned by the creator', async () => {
    const { token, user } = await registerUser(suite.backend)
    const res = await api().post('/api/rooms').set(bearer(token)).send({ name: '  Team\u0007 chat  ' })
    expect(res.status).toBe(201)
    expect(res.body).toEqual({ roomId: expect.stringMatching(/^[A-Za-z0-9_-]{12}$/), name: 'Team chat' })
    const joined = await join(token, res.body.roomId)
    expect(joined.ownerId).toBe(user.id)
  })

  it('refuses an empty name and an anonymous caller', async () => {
    const { token } = await registerUser(suite.backend)
    const empty = await api().post('/api/rooms').set(bearer(token)).send({ name: ' \u0001 ' })
    expect(empty.status).toBe(400)
    expect(empty.body.error.message).toBe('name: must not be empty')
    expect((await api().post('/api/rooms').send({ name: 'x' })).status).toBe(401)
  })

  it('lets one user create ROOMS_PER_USER_PER_HOUR rooms an hour (429 too_many_rooms with Retry-After), and no one else', async () => {
    const limited = await startTestBackend({ sessionServerHosts: [suite.session.host], env: { ROOMS_PER_USER_PER_HOUR: '2' } })
    try {
      const { token } = await registerUser(limited)
      const create = (as: string) => request(limited.url).post('/api/rooms').set(bearer(as)).send({ name: 'mine' })
      expect((await create(token)).status).toBe(201)
      expect((await create(token)).status).toBe(201)
      const refused = await create(token)
      expect(refused.status).toBe(429)
      expect(refused.body.error.code).toBe('too_many_rooms')
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3000)
      const [rooms] = await limited.db.query<{ n: number }>('SELECT count(*)::int AS n FROM rooms')
      expect(rooms?.n).toBe(2)
      expect((await create((await registerUser(limited)).token)).status).toBe(201)
    } finally {
      await limited.close()
    }
  })
})

describe('GET /api/rooms', () => {
  it("lists the user's own and joined rooms, most recently active first", async () => {
    const alice = await registerUser(suite.backend)
    const bob = await registerUser(suite.backend)
    const first = await createRoom(suite.backend, alice.token, 'first')
    const second = await createRoom(suite.backend, alice.token, 'second')
    const bobs = await createRoom(suite.backend, bob.token, 'bobs')
    await createRoom(suite.backend, bob.token, 'not joined by alice')
    await join(alice.token, bobs)

    let res = await api().get('/api/rooms').set(bearer(alice.token))
    expect(res.body.rooms.map((r: RoomSummary) => r.name)).toEqual(['bobs', 'second', 'first'])
    expect(res.body.rooms[0].owner).toEqual(bob.user)

    // A message makes the oldest room the most recently active.
    await join(alice.token, first)
    await storeMessages(first, alice.user, 1)
    res = await api().get('/api/rooms').set(bearer(alice.token))
    expect(res.body.rooms.map((r: RoomSummary) => r.roomId)).toEqual([first, bobs, second])
  })
})

describe('GET /api/rooms/:roomId', () => {
  it('places the room and returns a room token scoped to user, room and host', async () => {
    const { token, user } = await registerUser(suite.backend)
    const roomId = await createRoom(suite.backend, token, 'placed')
    const joined = await join(token, roomId)
    expect(joined).toMatchObject({ roomId, name: 'placed', ownerId: user.id, host: suite.session.host })

    // Verified with the public key alone, as a suite.session server does (jose: an independent implementation).
    const { payload, protectedHeader } = await jwtVerify(joined.token, createPublicKey(TEST_ROOM_TOKEN_PUBLIC_KEY), {
      audience: TokenAudience.ROOM,
      algorithms: ['ES256'],
    })
    expect(protectedHeader.kid).toBe(roomTokenKeyId(createPublicKey(TEST_ROOM_TOKEN_PUBLIC_KEY)))
    expect(RoomTokenClaims.parse(payload)).toEqual({ sub: user.id, username: user.username, roomId, host: suite.session.host, epoch: 1, readSeq: 0 })
  })

  it('makes the joining user a member, once, however often they join', async () => {
    const owner = await registerUser(suite.backend)
    const guest = await registerUser(suite.backend)
    const roomId = await createRoom(suite.backend, owner.token)
    expect((await api().get(`/api/rooms/${roomId}/messages`).set(bearer(guest.token))).status).toBe(403)
    await join(guest.token, roomId)
    await join(guest.token, roomId)
    expect((await api().get(`/api/rooms/${roomId}/messages`).set(bearer(guest.token))).status).toBe(200)
    const rows = await suite.backend.db.query('SELECT 1 FROM room_members WHERE room_id = $1', [roomId])
    expect(rows).toHaveLength(2)
  })

  it('answers 404 room_not_found for unknown ids and for strings that cannot be ids', async () => {
    const { token } = await registerUser(suite.backend)
    for (const id of ['abcdefghijkl', 'x', 'has%20space%20in%20it']) {
      const res = await api().get(`/api/rooms/${id}`).set(bearer(token))
      expect(res.status).toBe(404)
      expect(res.body.error.code).toBe('room_not_found')
    }
  })
})

describe('DELETE /api/rooms/:roomId', () => {
  it('lets only the owner delete (403 forbidden for others, 404 for unknown rooms)', async () => {
    const owner = await registerUser(suite.backend)
    const guest = await registerUser(suite.backend)
    const roomId = await createRoom(suite.backend, owner.token)
    await join(guest.token, roomId)
    const refused = await api().delete(`/api/rooms/${roomId}`).set(bearer(guest.token))
    expect(refused.status).toBe(403)
    expect(refused.body.error.code).toBe('forbidden')
    expect((await api().delete('/api/rooms/abcdefghijkl').set(bearer(owner.token))).status).toBe(404)
    expect((await api().get(`/api/rooms/${roomId}`).set(bearer(guest.token))).status).toBe(200)
  })

  it('removes the room with its members, messages and placement, and tells its suite.session server', async () => {
    const owner = await registerUser(suite.backend)
    const roomId = await createRoom(suite.backend, owner.token)
    await join(owner.token, roomId)
    await storeMessages(roomId, owner.user, 3)

    const notified = suite.session.nextRequest()
    expect((await api().delete(`/api/rooms/${roomId}`).set(bearer(owner.token))).status).toBe(204)
    expect(await notified).toEqual({
      method: 'DELETE',
      url: `/internal/rooms/${roomId}`,
      authorization: `Bearer ${TEST_SERVICE_TOKEN}`,
    })

    for (const table of ['rooms', 'room_members', 'messages', 'placements']) {
      const column = table === 'rooms' ? 'id' : 'room_id'
      expect(await suite.backend.db.query(`SELECT 1 FROM ${table} WHERE ${column} = $1`, [roomId])).toEqual([])
    }
    expect((await api().get(`/api/rooms/${roomId}`).set(bearer(owner.token))).status).toBe(404)
    const list = await api().get('/api/rooms').set(bearer(owner.token))
    expect(list.body.rooms).toEqual([])
  })

  it('still deletes when the suite.session server cannot be reached', async () => {
    const owner = await registerUser(suite.backend)
    const roomId = await createRoom(suite.backend, owner.token)
    await join(owner.token, roomId)
    // The suite.session server holding the room is gone (nothing listens on port 1).
    await suite.backend.db.query(`UPDATE placements SET host = '127.0.0.1:1' WHERE room_id = $1`, [roomId])
    expect((await api().delete(`/api/rooms/${roomId}`).set(bearer(owner.token))).status).toBe(204)
    expect(await suite.backend.db.query('SELECT 1 FROM rooms WHERE id = $1', [roomId])).toEqual([])
  })
})

describe('POST /api/rooms/:roomId/leave', () => {
  const leave = (token: string, roomId: string) => api().post(`/api/rooms/${roomId}/leave`).set(bearer(token))
  const listed = async (token: string) => ((await api().get('/api/rooms').set(bearer(token))).body.rooms as RoomSummary[]).map((r) => r.roomId)

  it('takes the room out of the member’s list, tells its suite.session server, and the link still joins again', async () => {
    const owner = await registerUser(suite.backend)
    const member = await registerUser(suite.backend)
    const roomId = await createRoom(suite.backend, owner.token)
    await join(member.token, roomId)
    expect(await listed(member.token)).toEqual([roomId])

    const notified = suite.session.nextRequest()
    expect((await leave(member.token, roomId)).status).toBe(204)
    expect(await notified).toEqual({
      method: 'POST',
      url: `/internal/rooms/${roomId}/members/${member.user.id}/left`,
      authorization: `Bearer ${TEST_SERVICE_TOKEN}`,
    })
    expect(await listed(member.token)).toEqual([])
    expect((await api().get(`/api/rooms/${roomId}/messages`).set(bearer(member.token))).status).toBe(403)
    // Leaving again changes nothing.
    expect((await leave(member.token, roomId)).status).toBe(204)

    await join(member.token, roomId)
    expect(await listed(member.token)).toEqual([roomId])
  })

  it('does not let a reconnect (rejoin=1) of a device still in the room undo the leave: 410 left_room, still not a member', async () => {
    const owner = await registerUser(suite.backend)
    const member = await registerUser(suite.backend)
    const roomId = await createRoom(suite.backend, owner.token)
    await join(member.token, roomId)
    expect((await api().get(`/api/rooms/${roomId}`).query({ rejoin: '1' }).set(bearer(member.token))).status).toBe(200)
    await leave(member.token, roomId).expect(204)
    const refused = await api().get(`/api/rooms/${roomId}`).query({ rejoin: '1' }).set(bearer(member.token))
    expect(refused.status).toBe(410)
    expect(refused.body.error.code).toBe('left_room')
    expect(await listed(member.token)).toEqual([])
    // Opening the link again is a join, not a reconnect.
    await join(member.token, roomId)
    expect(await listed(member.token)).toEqual([roomId])
  })

  it('hands the room to the member who joined earliest when the owner leaves, and tells the suite.session server who owns it', async () => {
    const owner = await registerUser(suite.backend)
    const first = await registerUser(suite.backend)
    const second = await registerUser(suite.backend)
    const roomId = await createRoom(suite.backend, owner.token)
    await join(first.token, roomId)
    await join(second.token, roomId)

    const notified = suite.session.nextRequest()
    expect((await leave(owner.token, roomId)).status).toBe(204)
    expect((await notified).url).toBe(`/internal/rooms/${roomId}/members/${owner.user.id}/left?ownerId=${first.user.id}`)
    expect((await join(second.token, roomId)).ownerId).toBe(first.user.id)
    expect((await api().delete(`/api/rooms/${roomId}`).set(bearer(owner.token))).status).toBe(403)
    expect(await listed(owner.token)).toEqual([])
  })

  it('refuses an owner alone in the room (409 last_member: delete it instead), and unknown rooms (404); nothing changes', async () => {
    const owner = await registerUser(suite.backend)
    const roomId = await createRoom(suite.backend, owner.token)
    const refused = await leave(owner.token, roomId)
    expect(refused.status).toBe(409)
    expect(refused.body.error.code).toBe('last_member')
    expect(await listed(owner.token)).toEqual([roomId])
    expect((await leave(owner.token, 'abcdefghijkl')).status).toBe(404)
    expect((await leave(owner.token, 'not a room id')).status).toBe(404)
    expect((await api().post(`/api/rooms/${roomId}/leave`)).status).toBe(401)
  })

  it('lets two members who leave at once both go, and never hands the room to one who left', async () => {
    const owner = await registerUser(suite.backend)
    const members = [await registerUser(suite.backend), await registerUser(suite.backend), await registerUser(suite.backend)]
    const roomId = await createRoom(suite.backend, owner.token)
    for (const member of members) await join(member.token, roomId)
    const statuses = await Promise.all([owner, members[0]!].map(async (user) => (await leave(user.token, roomId)).status))
    expect(statuses).toEqual([204, 204])
    const [room] = await suite.backend.db.query<{ owner_id: string }>('SELECT owner_id FROM rooms WHERE id = $1', [roomId])
    const stillIn = (await suite.backend.db.query<{ user_id: string }>('SELECT user_id FROM room_members WHERE room_id = $1', [roomId])).map((r) => r.user_id)
    expect(stillIn.sort()).toEqual([members[1]!.user.id, members[2]!.user.id].sort())
    expect(stillIn).toContain(room!.owner_id)
  })
})

describe('GET /api/rooms/:roomId/messages', () => {
  let owner: Awaited<ReturnType<typeof registerUser>>
  let roomId: string
  const page = async (query: string, token = owner.token) => {
    const res = await api().get(`/api/rooms/${roomId}/messages${query}`).set(bearer(token))
    return { status: res.status, body: res.body as HistoryResponse & { error?: { code: string; message: string } } }
  }
  const seqs = (messages: ChatMessage[]) => messages.map((m) => m.seq)

  beforeAll(async () => {
    owner = await registerUser(suite.backend)
    roomId = await createRoom(suite.backend, owner.token)
    await join(owner.token, roomId)
  })

  it('returns an empty page for a room without messages', async () => {
    expect((await page('')).body).toEqual({ messages: [], hasMore: false })
  })

  it('pages backwards in ascending order, with hasMore exactly when older messages exist', async () => {
    await storeMessages(roomId, owner.user, 10)
    const latest = await page('?limit=4')
    expect(seqs(latest.body.messages)).toEqual([7, 8, 9, 10])
    expect(latest.body.hasMore).toBe(true)
    expect(latest.body.messages[0]).toMatchObject({ userId: owner.user.id, username: owner.user.username, clientId: 'c7' })

    const older = await page('?before=7&limit=4')
    expect(seqs(older.body.messages)).toEqual([3, 4, 5, 6])
    expect(older.body.hasMore).toBe(true)

    const exact = await page('?before=3&limit=2')
    expect(seqs(exact.body.messages)).toEqual([1, 2])
    expect(exact.body.hasMore).toBe(false)

    const all = await page('?limit=10')
    expect(seqs(all.body.messages)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(all.body.hasMore).toBe(false)

    expect((await page('?before=1')).body).toEqual({ messages: [], hasMore: false })
    expect(seqs((await page('?before=1000&limit=3')).body.messages)).toEqual([8, 9, 10])
    expect((await page('')).body.messages).toHaveLength(10)
  })

  it('answers 400 invalid_request for bad paging parameters', async () => {
    for (const query of ['?limit=0', '?limit=101', '?limit=abc', '?before=0', '?before=-3', '?before=1.5', '?sort=asc']) {
      const res = await page(query)
      expect(res.status, query).toBe(400)
      expect(res.body.error?.code).toBe('invalid_request')
    }
    expect((await page('?limit=0')).body.error?.message).toMatch(/^limit: /)
  })

  it('answers 403 forbidden to a user who is not a member', async () => {
    const stranger = await registerUser(suite.backend)
    const res = await page('', stranger.token)
    expect(res.status).toBe(403)
    expect(res.body.error?.code).toBe('forbidden')
  })
})
