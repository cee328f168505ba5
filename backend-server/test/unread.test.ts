/** Unread counts, mentions and the latest message in the lobby's list; read positions the session server reports. */
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { UNREAD_RULE, type MyRoom } from '@scalable-chat/backend-contract'
import { LoadRoomResponse, MAX_READ_ENTRIES } from '@scalable-chat/backend-contract/internal'
import { bearer, createRoom, newMessage, registerUser, service, useBackendBesideFakeSession } from './helpers.js'

const suite = useBackendBesideFakeSession()

const api = () => request(suite.backend.url)
const load = async (roomId: string) => LoadRoomResponse.parse((await api().get(`/internal/rooms/${roomId}`).query({ host: suite.session.host }).set(service)).body)

/** Stores messages as the room's session server would: `[author, text]` in order. */
async function say(roomId: string, ...lines: [{ id: string; username: string }, string][]): Promise<void> {
  const { epoch, seq } = await load(roomId)
  const messages = lines.map(([user, text], i) => newMessage(user, `c${seq + i + 1}`, text))
  await api().post(`/internal/rooms/${roomId}/messages`).set(service).send({ host: suite.session.host, epoch, afterSeq: seq, entries: messages }).expect(200)
}

async function listed(token: string, roomId: string): Promise<MyRoom> {
  const rooms = (await api().get('/api/rooms').set(bearer(token)).expect(200)).body.rooms as MyRoom[]
  return rooms.find((room) => room.roomId === roomId)!
}

/** Reports read positions as the room's session server would (or as `fence` says); the answer's status. */
async function reportReads(roomId: string, reads: { userId: string; seq: number }[], fence: { host?: string; epoch?: number } = {}) {
  const { epoch } = await load(roomId)
  const res = await api()
    .post(`/internal/rooms/${roomId}/read`)
    .set(service)
    .send({ host: fence.host ?? suite.session.host, epoch: fence.epoch ?? epoch, reads })
  return { status: res.status, code: (res.body as { error?: { code: string } }).error?.code }
}

/** A room owned by Ana that Bo joined. */
async function twoMembers() {
  const ana = await registerUser(suite.backend, 'ana')
  const bo = await registerUser(suite.backend, 'bo')
  const roomId = await createRoom(suite.backend, ana.token)
  await api().get(`/api/rooms/${roomId}`).set(bearer(bo.token)).expect(200)
  return { ana, bo, roomId }
}

describe('GET /api/rooms: unread, mentions, lastMessage', () => {
  it('counts messages, not their edits or reactions; a deleted one is neither unread nor the preview, an edited one shows as it is now', async () => {
    const { ana, bo, roomId } = await twoMembers()
    await say(roomId, [bo.user, 'first'], [bo.user, `typo @${ana.user.username}`], [bo.user, 'oops, wrong room'])
    const { epoch, seq } = await load(roomId)
    const at = new Date().toISOString()
    const change = (clientId: string) => ({ id: crypto.randomUUID(), clientId, userId: bo.user.id, username: bo.user.username, createdAt: at })
    await api()
      .post(`/internal/rooms/${roomId}/messages`)
      .set(service)
      .send({
        host: suite.session.host,
        epoch,
        afterSeq: seq,
        entries: [
          { ...change('e1'), kind: 'edit', target: seq - 1, text: `fixed @${ana.user.username}` },
          { ...change('r1'), kind: 'react', target: seq - 2, emoji: '👍', on: true },
          { ...change('d1'), kind: 'delete', target: seq },
        ],
      })
      .expect(200)
    expect(await listed(ana.token, roomId)).toMatchObject({ unread: 2, mentions: 1, lastMessage: { seq: seq - 1, text: `fixed @${ana.user.username}` } })
    await say(roomId, [bo.user, 'later'])
    const room = await listed(ana.token, roomId)
    expect(room).toMatchObject({ unread: 3, lastMessage: { text: 'later' } })
  })

  it('counts messages by others after the read position, those naming the user by the web client’s mention rule, and previews the latest', async () => {
    const { ana, bo, roomId } = await twoMembers()
    expect(await listed(ana.token, roomId)).toMatchObject({ unread: 0, mentions: 0, lastMessage: null })
    const name = ana.user.username
    await say(
      roomId,
      [bo.user, 'hello'],
      [bo.user, `@${name} look`],
      [bo.user, `mail ${name}@example.com`],
      [bo.user, `@${name}x is someone else`],
      [bo.user, `ping (@${name.toUpperCase()})\nthanks`],
      [ana.user, `@${name} talking to myself`],
    )
    expect(await listed(ana.token, roomId)).toMatchObject({
      unread: 5,
      mentions: 2,
      lastMessage: { seq: 6, username: name, text: `@${name} talking to myself`, createdAt: expect.any(String) },
    })
    expect(await listed(bo.token, roomId)).toMatchObject({ unread: 1, mentions: 0 })
  })

  it('starts a new member with the room read as it is when they join: its history is not news to them', async () => {
    const { ana, bo, roomId } = await twoMembers()
    await say(roomId, [bo.user, 'before Cy'], [ana.user, 'also before'])
    const cy = await registerUser(suite.backend, 'cy')
    const { token } = (await api().get(`/api/rooms/${roomId}`).set(bearer(cy.token)).expect(200)).body as { token: string }
    expect(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString())).toMatchObject({ readSeq: 2 })
    expect(await listed(cy.token, roomId)).toMatchObject({ unread: 0, lastMessage: { seq: 2 } })
    await say(roomId, [bo.user, 'after Cy'])
    expect(await listed(cy.token, roomId)).toMatchObject({ unread: 1 })
  })

  it(`counts up to ${UNREAD_RULE.countCap} and cuts the preview to ${UNREAD_RULE.previewLength} characters`, async () => {
    const { ana, bo, roomId } = await twoMembers()
    const lines = Array.from({ length: UNREAD_RULE.countCap + 20 }, (_, i): [typeof bo.user, string] => [bo.user, `m${i}`])
    await say(roomId, ...lines, [bo.user, 'x'.repeat(500)])
    const room = await listed(ana.token, roomId)
    expect(room.unread).toBe(UNREAD_RULE.countCap)
    expect(room.lastMessage?.text).toBe(`${'x'.repeat(UNREAD_RULE.previewLength)}…`)
  })
})

describe('POST /internal/rooms/:roomId/read', () => {
  it('moves the read position forward only, never past the latest seq, and the next room token carries it', async () => {
    const { ana, bo, roomId } = await twoMembers()
    await say(roomId, [bo.user, 'one'], [bo.user, `two @${ana.user.username}`], [bo.user, 'three'])
    expect(await reportReads(roomId, [{ userId: ana.user.id, seq: 1 }])).toEqual({ status: 204, code: undefined })
    expect(await listed(ana.token, roomId)).toMatchObject({ unread: 2, mentions: 1 })
    expect(await reportReads(roomId, [{ userId: ana.user.id, seq: 2 }, { userId: bo.user.id, seq: 3 }])).toEqual({ status: 204, code: undefined })
    expect(await reportReads(roomId, [{ userId: ana.user.id, seq: 0 }])).toEqual({ status: 204, code: undefined })
    expect(await listed(ana.token, roomId)).toMatchObject({ unread: 1, mentions: 0 })

    // Past the latest: stored as the latest, so the next message is unread.
    expect(await reportReads(roomId, [{ userId: ana.user.id, seq: 1_000 }])).toEqual({ status: 204, code: undefined })
    expect((await listed(ana.token, roomId)).unread).toBe(0)
    await say(roomId, [bo.user, 'four'])
    expect((await listed(ana.token, roomId)).unread).toBe(1)

    const claimsOf = async (query: string) => {
      const { token } = (await api().get(`/api/rooms/${roomId}${query}`).set(bearer(ana.token)).expect(200)).body as { token: string }
      return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>
    }
    expect(await claimsOf('')).toMatchObject({ sub: ana.user.id, readSeq: 3 })
    // A reconnect does not read it (the tab knows; reconnects cost no statement).
    expect(await claimsOf('?rejoin=1')).toMatchObject({ sub: ana.user.id, readSeq: 0 })
  })

  it('is fenced: another host or an older epoch gets 409 room_moved and changes nothing; an unknown room 404', async () => {
    const { ana, bo, roomId } = await twoMembers()
    await say(roomId, [bo.user, 'one'])
    const { epoch } = await load(roomId)
    expect(await reportReads(roomId, [{ userId: ana.user.id, seq: 1 }], { host: '127.0.0.1:1' })).toEqual({ status: 409, code: 'room_moved' })
    expect(await reportReads(roomId, [{ userId: ana.user.id, seq: 1 }], { epoch: epoch - 1 })).toEqual({ status: 409, code: 'room_moved' })
    expect((await listed(ana.token, roomId)).unread).toBe(1)
    const unknown = await api().post('/internal/rooms/NoSuchRoom00/read').set(service).send({ host: suite.session.host, epoch, reads: [{ userId: ana.user.id, seq: 1 }] })
    expect(unknown.status).toBe(404)
  })

  it('refuses a report without the service token (401), out of shape (400) or too big (413), and skips users who are not members', async () => {
    const { ana, roomId } = await twoMembers()
    const stranger = await registerUser(suite.backend)
    const { epoch } = await load(roomId)
    const url = `/internal/rooms/${roomId}/read`
    const valid = { host: suite.session.host, epoch, reads: [{ userId: ana.user.id, seq: 0 }] }
    expect((await api().post(url).send(valid)).status).toBe(401)
    expect((await api().post(url).set(bearer(ana.token)).send(valid)).status).toBe(401)
    const bad = [
      { ...valid, reads: [] },
      { ...valid, reads: [{ userId: 'nope', seq: 1 }] },
      { ...valid, reads: [{ userId: ana.user.id, seq: -1 }] },
      { ...valid, reads: [{ userId: ana.user.id, seq: 1.5 }] },
      { ...valid, reads: [{ userId: ana.user.id, seq: '1' }] },
      { reads: valid.reads },
      { ...valid, extra: true },
      { ...valid, reads: Array.from({ length: MAX_READ_ENTRIES + 1 }, () => valid.reads[0]) },
    ]
    for (const body of bad) expect((await api().post(url).set(service).send(body)).status).toBe(400)
    const huge = { ...valid, reads: Array.from({ length: MAX_READ_ENTRIES }, () => ({ userId: ana.user.id, seq: 0, padding: 'x'.repeat(100) })) }
    expect((await api().post(url).set(service).send(huge)).status).toBe(413)
    await api().post(url).set(service).send({ ...valid, reads: [{ userId: stranger.user.id, seq: 1 }] }).expect(204)
    const [row] = await suite.backend.db.query<{ n: number }>('SELECT count(*)::int AS n FROM room_members WHERE room_id = $1 AND user_id = $2', [roomId, stranger.user.id])
    expect(row?.n).toBe(0)
  })
})
