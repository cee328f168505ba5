import request from 'supertest'
import { describe, expect, it } from 'vitest'
import type { DirectoryResponse, RoomSummary } from '@scalable-chat/backend-contract'
import { bearer, registerUser, useBackendBesideFakeSession } from './helpers.js'

const suite = useBackendBesideFakeSession({ roomsPerUserPerHour: 1000 })

const api = () => request(suite.backend.url)
/** A word no other test's rooms contain, so a search sees this test's rooms only. */
let words = 0
const word = () => `w${process.pid}x${++words}`

async function create(token: string, body: Record<string, unknown>): Promise<string> {
  const res = await api().post('/api/rooms').set(bearer(token)).send(body)
  expect(res.status).toBe(201)
  return res.body.roomId as string
}

async function search(token: string, query: Record<string, string | number>): Promise<DirectoryResponse> {
  const res = await api().get('/api/rooms/public').query(query).set(bearer(token))
  expect(res.status).toBe(200)
  return res.body as DirectoryResponse
}

describe('GET /api/rooms/public', () => {
  it('lists public rooms only, matching the name or the description in any case, with owner and member count', async () => {
    const owner = await registerUser(suite.backend)
    const reader = await registerUser(suite.backend)
    const tag = word()
    const inName = await create(owner.token, { name: `Chess ${tag}`, visibility: 'public' })
    const inDescription = await create(owner.token, { name: 'Board games', visibility: 'public', description: `We play ${tag.toUpperCase()} on Fridays` })
    await create(owner.token, { name: `Secret ${tag}`, description: tag })
    expect((await api().get(`/api/rooms/${inName}`).set(bearer(reader.token))).status).toBe(200)

    const found = await search(reader.token, { q: tag })
    expect(found.rooms.map((r) => r.roomId).sort()).toEqual([inName, inDescription].sort())
    const chess = found.rooms.find((r) => r.roomId === inName)!
    expect(chess).toMatchObject({ name: `Chess ${tag}`, description: '', owner: { id: owner.user.id, username: owner.user.username }, memberCount: 2 })
    expect(found.nextCursor).toBeNull()
    // Non-ASCII letters are folded by the database on both sides (JavaScript folds Σ differently).
    const greek = await create(owner.token, { name: `ΟΔΟΣ ${tag}`, visibility: 'public' })
    expect((await search(reader.token, { q: 'ΟΔΟΣ' })).rooms.map((r) => r.roomId)).toContain(greek)
    // `%` and `_` are letters in a search, not wildcards.
    expect((await search(reader.token, { q: `${tag}%` })).rooms).toEqual([])
  })

  it('pages most recently active first, each room once, with a cursor', async () => {
    const owner = await registerUser(suite.backend)
    const tag = word()
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push(await create(owner.token, { name: `Page ${i} ${tag}`, visibility: 'public' }))
    const seen: DirectoryResponse['rooms'] = []
    let cursor: string | null = null
    do {
      const page: DirectoryResponse = await search(owner.token, { q: tag, limit: 2, ...(cursor ? { cursor } : {}) })
      expect(page.rooms.length).toBeLessThanOrEqual(2)
      seen.push(...page.rooms)
      cursor = page.nextCursor
    } while (cursor)
    // Rooms created within one millisecond tie, and then go by id: the order is by activity, not creation.
    expect(seen.map((r) => r.roomId).sort()).toEqual([...ids].sort())
    const times = seen.map((r) => Date.parse(r.lastActivityAt))
    expect(times).toEqual([...times].sort((a, b) => b - a))
  })

  it('says how many are online where the suite.session server answers: 0 for a room not placed, null when its server does not say', async () => {
    const owner = await registerUser(suite.backend)
    const tag = word()
    const placed = await create(owner.token, { name: `Busy ${tag}`, visibility: 'public' })
    const quiet = await create(owner.token, { name: `Quiet ${tag}`, visibility: 'public' })
    expect((await api().get(`/api/rooms/${placed}`).set(bearer(owner.token))).status).toBe(200)
    suite.session.online = { [placed]: 3 }
    const online = async () => Object.fromEntries((await search(owner.token, { q: tag })).rooms.map((r) => [r.roomId, r.online]))
    expect(await online()).toEqual({ [placed]: 3, [quiet]: 0 })
    suite.session.online = undefined
    expect(await online()).toEqual({ [placed]: null, [quiet]: 0 })
    suite.session.online = {}
  })

  it('refuses a bad cursor, a long search or a big page (400), and a caller without a token (401)', async () => {
    const user = await registerUser(suite.backend)
    for (const query of [{ cursor: 'garbage' }, { cursor: Buffer.from('["x","y"]').toString('base64url') }, { q: 'x'.repeat(65) }, { limit: 51 }]) {
      const res = await api().get('/api/rooms/public').query(query).set(bearer(user.token))
      expect(res.status).toBe(400)
      expect(res.body.error.code).toBe('invalid_request')
    }
    expect((await api().get('/api/rooms/public')).status).toBe(401)
  })
})

describe('PATCH /api/rooms/:roomId', () => {
  it('lets the owner make a room public with a description, and unlisted again; the list says so', async () => {
    const owner = await registerUser(suite.backend)
    const tag = word()
    const roomId = await create(owner.token, { name: `Later ${tag}` })
    expect((await search(owner.token, { q: tag })).rooms).toEqual([])
    const res = await api().patch(`/api/rooms/${roomId}`).set(bearer(owner.token)).send({ visibility: 'public', description: `  all about ${tag}\n` })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ roomId, visibility: 'public', description: `all about ${tag}` })
    expect((await search(owner.token, { q: 'all about' })).rooms.map((r) => r.roomId)).toContain(roomId)
    const listed = (await api().get('/api/rooms').set(bearer(owner.token))).body.rooms as RoomSummary[]
    expect(listed.find((r) => r.roomId === roomId)).toMatchObject({ visibility: 'public', description: `all about ${tag}` })
    await api().patch(`/api/rooms/${roomId}`).set(bearer(owner.token)).send({ visibility: 'unlisted' }).expect(200)
    expect((await search(owner.token, { q: tag })).rooms).toEqual([])
  })

  it('refuses anyone but the owner (403), nothing to change or bad values (400), and an unknown room (404)', async () => {
    const owner = await registerUser(suite.backend)
    const other = await registerUser(suite.backend)
    const roomId = await create(owner.token, { name: 'Mine' })
    expect((await api().patch(`/api/rooms/${roomId}`).set(bearer(other.token)).send({ visibility: 'public' })).status).toBe(403)
    for (const body of [{}, { visibility: 'secret' }, { description: 'x'.repeat(281) }, { name: 'Renamed' }]) {
      expect((await api().patch(`/api/rooms/${roomId}`).set(bearer(owner.token)).send(body)).status).toBe(400)
    }
    expect((await api().patch('/api/rooms/abcdefghijkl').set(bearer(owner.token)).send({ visibility: 'public' })).status).toBe(404)
    expect((await api().post('/api/rooms').set(bearer(owner.token)).send({ name: 'x', visibility: 'everyone' })).status).toBe(400)
  })
})
