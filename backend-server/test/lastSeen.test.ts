/** "Last seen": session servers report when members' last connections closed; a room loads with its members and those times. */
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { LoadRoomResponse, MAX_SEEN_ENTRIES } from '@scalable-chat/backend-contract/internal'
import { bearer, createRoom, registerUser, service, useBackendBesideFakeSession } from './helpers.js'

const suite = useBackendBesideFakeSession()

const api = () => request(suite.backend.url)
const load = async (roomId: string) => LoadRoomResponse.parse((await api().get(`/internal/rooms/${roomId}`).query({ host: suite.session.host }).set(service)).body)

describe('POST /internal/rooms/:roomId/seen', () => {
  it('records when members were last seen, never moving a time back, and the room loads with them, most recently seen first', async () => {
    const owner = await registerUser(suite.backend)
    const member = await registerUser(suite.backend)
    const roomId = await createRoom(suite.backend, owner.token)
    await api().get(`/api/rooms/${roomId}`).set(bearer(member.token)).expect(200)
    expect((await load(roomId)).members.map((m) => m.lastSeenAt)).toEqual([null, null])

    const report = (seen: { userId: string; at: string }[]) => api().post(`/internal/rooms/${roomId}/seen`).set(service).send({ host: suite.session.host, seen })
    await report([
      { userId: owner.user.id, at: '2026-03-01T10:00:00.000Z' },
      { userId: member.user.id, at: '2026-03-01T11:00:00.000Z' },
    ]).expect(204)
    await report([{ userId: member.user.id, at: '2026-03-01T09:00:00.000Z' }]).expect(204)
    expect((await load(roomId)).members).toEqual([
      { userId: member.user.id, username: member.user.username, lastSeenAt: '2026-03-01T11:00:00.000Z' },
      { userId: owner.user.id, username: owner.user.username, lastSeenAt: '2026-03-01T10:00:00.000Z' },
    ])
  })

  it('refuses a report without the service token (401) or out of shape (400), and ignores users who are not members', async () => {
    const owner = await registerUser(suite.backend)
    const stranger = await registerUser(suite.backend)
    const roomId = await createRoom(suite.backend, owner.token)
    await api().get(`/api/rooms/${roomId}`).set(bearer(owner.token)).expect(200)
    const url = `/internal/rooms/${roomId}/seen`
    expect((await api().post(url).send({ host: suite.session.host, seen: [{ userId: owner.user.id, at: new Date().toISOString() }] })).status).toBe(401)
    for (const seen of [[], [{ userId: 'nope', at: new Date().toISOString() }], [{ userId: owner.user.id, at: 'yesterday' }]]) {
      expect((await api().post(url).set(service).send({ host: suite.session.host, seen })).status).toBe(400)
    }
    const tooMany = Array.from({ length: MAX_SEEN_ENTRIES + 1 }, () => ({ userId: owner.user.id, at: new Date().toISOString() }))
    expect((await api().post(url).set(service).send({ host: suite.session.host, seen: tooMany })).status).toBe(400)
    await api().post(url).set(service).send({ host: suite.session.host, seen: [{ userId: stranger.user.id, at: new Date().toISOString() }] }).expect(204)
    expect((await load(roomId)).members.map((m) => m.userId)).toEqual([owner.user.id])
  })
})
