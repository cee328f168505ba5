import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChatMessage, JoinRoomResponse } from '@scalable-chat/backend-contract'
import { BOARD_RULE, type Board, type Shape } from '@scalable-chat/backend-contract'
import {
  CommitResponse,
  LoadRoomResponse,
  MAX_BOARD_BODY_BYTES,
  MAX_COMMIT_BODY_BYTES,
  MAX_COMMIT_MESSAGES,
  MAX_INTERNAL_BODY_BYTES,
  MAX_STORED_TEXT_LENGTH,
  type NewEntry,
  type NewMessage,
} from '@scalable-chat/backend-contract/internal'
import { loadConfig } from '../src/config.js'
import { startTestBackend, type TestBackend } from '../src/testing/index.js'
import { bearer, createRoom, newMessage, registerUser, service, startFakeSessionServer, type FakeSessionServer } from './helpers.js'

let backend: TestBackend
let session: FakeSessionServer
let owner: Awaited<ReturnType<typeof registerUser>>
beforeAll(async () => {
  session = await startFakeSessionServer()
  backend = await startTestBackend({ sessionServerHosts: [session.host], overrides: { maxRoomsPerServer: 1000 } })
  owner = await registerUser(backend)
})
afterAll(async () => {
  await backend.close()
  await session.close()
})

const api = () => request(backend.url)

/** A new room, placed and loaded by the fake session server: what a session server holds. */
async function loadedRoom(): Promise<{ roomId: string; epoch: number; join: JoinRoomResponse }> {
  const roomId = await createRoom(backend, owner.token)
  const join = (await api().get(`/api/rooms/${roomId}`).set(bearer(owner.token))).body as JoinRoomResponse
  const load = await api().get(`/internal/rooms/${roomId}`).query({ host: session.host }).set(service)
  expect(load.status).toBe(200)
  return { roomId, epoch: LoadRoomResponse.parse(load.body).epoch, join }
}

function commit(roomId: string, body: { epoch: number; afterSeq: number; entries: NewEntry[]; host?: string }) {
  return api()
    .post(`/internal/rooms/${roomId}/messages`)
    .set(service)
    .send({ host: session.host, ...body })
}

/** The stored messages a commit answered (these tests commit messages only). */
function storedOf(response: CommitResponse): ChatMessage[] {
  return response.results.map((result) => {
    if (!('message' in result)) throw new Error(`not a message: ${JSON.stringify(result)}`)
    return result.message
  })
}

const stored = (roomId: string) =>
  backend.db.query<{ seq: unknown; client_id: string }>('SELECT seq, client_id FROM messages WHERE room_id = $1 ORDER BY seq', [
    roomId,
  ])

describe('internal API authentication', () => {
  it('refuses no token, a user token, a room token and a wrong service token with 401', async () => {
    const { roomId, join } = await loadedRoom()
    const path = `/internal/rooms/${roomId}?host=${session.host}`
    expect((await api().get(path)).status).toBe(401)
    expect((await api().get(path).set(bearer(owner.token))).status).toBe(401)
    expect((await api().get(path).set(bearer(join.token))).status).toBe(401)
    expect((await api().get(path).set(bearer('x'.repeat(43)))).status).toBe(401)
    const res = await api().post('/internal/servers/register').set(bearer(owner.token)).send({ host: session.host })
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('unauthorized')
  })
})

describe('internal API bodies', () => {
  const largeBody = (bytes: number) => `{"host":"${'x'.repeat(bytes)}"}`

  it('authenticates before it reads a body: a stranger\'s 9 MB upload gets 401 and its connection closed', async () => {
    const res = await api().post('/internal/rooms/abc/messages').set('content-type', 'application/json').send(largeBody(9 * 1024 * 1024))
    expect(res.status).toBe(401)
    expect(res.headers.connection).toBe('close')
  })

  it('reads a small route\'s body only up to MAX_INTERNAL_BODY_BYTES: 413 above, with the service token', async () => {
    const res = await api().post('/internal/servers/heartbeat').set(service).set('content-type', 'application/json').send(largeBody(MAX_INTERNAL_BODY_BYTES))
    expect(res.status).toBe(413)
    expect(res.body.error.code).toBe('payload_too_large')
    expect(res.headers.connection).toBe('close')
  })

  it('takes the largest legal group commit, and refuses one byte more than it could be with 413', async () => {
    const { roomId, epoch } = await loadedRoom()
    const largest = {
      host: 'h'.repeat(512),
      epoch,
      afterSeq: 0,
      entries: Array.from({ length: MAX_COMMIT_MESSAGES }, (_, i) => ({ ...newMessage(owner.user, `big-${i}`), text: '€'.repeat(MAX_STORED_TEXT_LENGTH) })),
    }
    // Read and judged on its merits: the host is not where the room is placed.
    const taken = await api().post(`/internal/rooms/${roomId}/messages`).set(service).send(largest)
    expect(taken.status).toBe(409)
    expect(taken.body.error.code).toBe('room_moved')
    const tooLarge = await api().post(`/internal/rooms/${roomId}/messages`).set(service).set('content-type', 'application/json').send(largeBody(MAX_COMMIT_BODY_BYTES))
    expect(tooLarge.status).toBe(413)
  })
})

describe('INTERNAL_PORT', () => {
  it('serves /internal on its own port and nowhere else; the public port keeps /api and the probes', async () => {
    const split = await startTestBackend({ sessionServerHosts: [session.host], env: { INTERNAL_PORT: '0' } })
    try {
      expect(split.internalUrl).not.toBe(split.url)
      expect((await request(split.url).get('/internal/room-token-key').set(service)).status).toBe(404)
      expect((await request(split.internalUrl).get('/internal/room-token-key').set(service)).status).toBe(200)
      expect((await request(split.internalUrl).get('/internal/room-token-key')).status).toBe(401)
      expect((await request(split.internalUrl).post('/api/login').send({ username: 'abc', password: 'password123' })).status).toBe(404)
      expect((await request(split.internalUrl).get('/healthz')).status).toBe(200)
      expect((await request(split.url).get('/healthz')).status).toBe(200)
      expect((await registerUser(split)).token).toBeTruthy()
    } finally {
      await split.close()
    }
  })

  it('must differ from PORT', () => {
    expect(() => loadConfig({ JWT_SECRET: 'j'.repeat(32), SERVICE_TOKEN: 's'.repeat(32), PORT: '8080', INTERNAL_PORT: '8080' })).toThrow(/^INTERNAL_PORT: must differ from PORT/)
  })
})

describe('GET /internal/rooms/:roomId', () => {
  it('returns the room, its epoch, latest seq and the latest 100 messages in order, and marks it loaded', async () => {
    const { roomId, epoch } = await loadedRoom()
    const messages = Array.from({ length: 120 }, (_, i) => newMessage(owner.user, `m${i}`))
    expect((await commit(roomId, { epoch, afterSeq: 0, entries: messages })).status).toBe(200)

    const res = await api().get(`/internal/rooms/${roomId}`).query({ host: session.host }).set(service)
    const body = LoadRoomResponse.parse(res.body)
    expect(body.room).toEqual({ id: roomId, name: 'Lobby', ownerId: owner.user.id })
    expect(body.epoch).toBe(epoch)
    expect(body.seq).toBe(120)
    expect(body.messages.map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 21))
    const [row] = await backend.db.query<{ loaded_at: unknown }>('SELECT loaded_at FROM placements WHERE room_id = $1', [roomId])
    expect(row?.loaded_at).not.toBeNull()
  })

  it('answers 409 room_moved to a host the room is not placed on, 404 for an unknown room', async () => {
    const { roomId } = await loadedRoom()
    const moved = await api().get(`/internal/rooms/${roomId}`).query({ host: 'elsewhere:1' }).set(service)
    expect(moved.status).toBe(409)
    expect(moved.body.error.code).toBe('room_moved')
    const missing = await api().get('/internal/rooms/abcdefghijkl').query({ host: session.host }).set(service)
    expect(missing.status).toBe(404)
    expect((await api().get(`/internal/rooms/${roomId}`).set(service)).status).toBe(400)
  })
})

describe('POST /internal/rooms/:roomId/messages', () => {
  it('stores a batch in request order with consecutive seqs and no gaps', async () => {
    const { roomId, epoch } = await loadedRoom()
    const first = await commit(roomId, { epoch, afterSeq: 0, entries: ['a', 'b', 'c'].map((c) => newMessage(owner.user, c)) })
    expect(first.status).toBe(200)
    const body = CommitResponse.parse(first.body)
    expect(storedOf(body).map((m) => [m.seq, m.clientId])).toEqual([[1, 'a'], [2, 'b'], [3, 'c']])
    expect(body.seq).toBe(3)

    const second = CommitResponse.parse(
      (await commit(roomId, { epoch, afterSeq: 3, entries: [newMessage(owner.user, 'd')] })).body,
    )
    expect(storedOf(second)[0]?.seq).toBe(4)
    expect((await stored(roomId)).map((r) => Number(r.seq))).toEqual([1, 2, 3, 4])
  })

  it('answers a retried batch with the original messages and stores nothing twice', async () => {
    const { roomId, epoch } = await loadedRoom()
    const batch = ['a', 'b'].map((c) => newMessage(owner.user, c))
    const first = CommitResponse.parse((await commit(roomId, { epoch, afterSeq: 0, entries: batch })).body)
    // The retry still says afterSeq 0: its sender never saw the first answer.
    const retry = await commit(roomId, { epoch, afterSeq: 0, entries: batch })
    expect(retry.status).toBe(200)
    expect(CommitResponse.parse(retry.body)).toEqual(first)
    expect(await stored(roomId)).toHaveLength(2)
  })

  it('answers duplicates with their originals and stores the new messages after the latest seq', async () => {
    const { roomId, epoch } = await loadedRoom()
    const [a, b] = ['a', 'b'].map((c) => newMessage(owner.user, c)) as [NewMessage, NewMessage]
    const original = CommitResponse.parse((await commit(roomId, { epoch, afterSeq: 0, entries: [a, b] })).body)
    const c = newMessage(owner.user, 'c')
    // `b` again (resent with a fresh id), and `c` twice in one batch: each pair is stored once.
    const res = await commit(roomId, { epoch, afterSeq: 2, entries: [c, { ...b, id: crypto.randomUUID() }, { ...c }] })
    expect(res.status).toBe(200)
    const body = CommitResponse.parse(res.body)
    expect(storedOf(body).map((m) => [m.seq, m.clientId])).toEqual([[3, 'c'], [2, 'b'], [3, 'c']])
    expect(storedOf(body)[1]).toEqual(storedOf(original)[1])
    expect(body.seq).toBe(3)
    // Twice in one batch and nowhere else (the fast path for new batches must not take it).
    const d = newMessage(owner.user, 'd')
    const twice = CommitResponse.parse((await commit(roomId, { epoch, afterSeq: 3, entries: [d, { ...d }] })).body)
    expect([twice.seq, ...storedOf(twice).map((m) => m.seq)]).toEqual([4, 4, 4])
    expect((await stored(roomId)).map((r) => r.client_id)).toEqual(['a', 'b', 'c', 'd'])
  })

  it('treats the same clientId from two users as two messages', async () => {
    const { roomId, epoch } = await loadedRoom()
    const other = await registerUser(backend)
    const res = await commit(roomId, { epoch, afterSeq: 0, entries: [newMessage(owner.user, 'x'), newMessage(other.user, 'x')] })
    expect(CommitResponse.parse(res.body).seq).toBe(2)
  })

  it('answers 409 seq_conflict when afterSeq is not the latest, and stores nothing', async () => {
    const { roomId, epoch } = await loadedRoom()
    await commit(roomId, { epoch, afterSeq: 0, entries: [newMessage(owner.user, 'a')] })
    for (const afterSeq of [0, 2]) {
      const res = await commit(roomId, { epoch, afterSeq, entries: [newMessage(owner.user, `b${afterSeq}`)] })
      expect(res.status).toBe(409)
      expect(res.body.error.code).toBe('seq_conflict')
    }
    expect(await stored(roomId)).toHaveLength(1)
  })

  it('fences a stale writer: 409 room_moved for an old epoch or another host, nothing stored', async () => {
    const { roomId, epoch } = await loadedRoom()
    const oldEpoch = await commit(roomId, { epoch: epoch - 1, afterSeq: 0, entries: [newMessage(owner.user, 'a')] })
    expect(oldEpoch.status).toBe(409)
    expect(oldEpoch.body.error.code).toBe('room_moved')
    const otherHost = await commit(roomId, { host: 'other:1', epoch, afterSeq: 0, entries: [newMessage(owner.user, 'a')] })
    expect(otherHost.status).toBe(409)
    // After a release the room is placed nowhere: the old holder cannot write either.
    await api().post(`/internal/rooms/${roomId}/release`).set(service).send({ host: session.host, epoch }).expect(204)
    const released = await commit(roomId, { epoch, afterSeq: 0, entries: [newMessage(owner.user, 'a')] })
    expect(released.body.error.code).toBe('room_moved')
    expect(await stored(roomId)).toEqual([])
  })

  it('serialises concurrent commits: exactly one of two racing batches with the same afterSeq wins', async () => {
    const { roomId, epoch } = await loadedRoom()
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => commit(roomId, { epoch, afterSeq: 0, entries: [newMessage(owner.user, `r${i}`)] })),
    )
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409])
    expect((await stored(roomId)).map((r) => Number(r.seq))).toEqual([1])

    // Chained commits racing with correct afterSeqs all land, in a gap-free sequence.
    let seq = 1
    await Promise.all(
      Array.from({ length: 5 }, async (_, i) => {
        for (;;) {
          const res = await commit(roomId, { epoch, afterSeq: seq, entries: [newMessage(owner.user, `s${i}`)] })
          if (res.status === 200) {
            seq = CommitResponse.parse(res.body).seq
            return
          }
          expect(res.body.error.code).toBe('seq_conflict')
        }
      }),
    )
    expect((await stored(roomId)).map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5, 6])
  })

  it('rejects invalid batches with 400 and answers 404 for a deleted room', async () => {
    const { roomId, epoch } = await loadedRoom()
    const bad = [
      { epoch, afterSeq: 0, entries: [] },
      { epoch, afterSeq: -1, entries: [newMessage(owner.user, 'a')] },
      { epoch, afterSeq: 0, entries: [{ ...newMessage(owner.user, 'a'), text: '' }] },
      { epoch, afterSeq: 0, entries: [{ ...newMessage(owner.user, 'a'), userId: 'not-a-uuid' }] },
    ]
    for (const body of bad) expect((await commit(roomId, body)).status).toBe(400)
    expect(await stored(roomId)).toEqual([])

    await api().delete(`/api/rooms/${roomId}`).set(bearer(owner.token)).expect(204)
    const gone = await commit(roomId, { epoch, afterSeq: 0, entries: [newMessage(owner.user, 'a')] })
    expect(gone.status).toBe(404)
    expect(gone.body.error.code).toBe('not_found')
  })
})

describe('POST /internal/rooms/:roomId/release and /internal/servers/register', () => {
  it('clears a matching placement, keeps its epoch, and ignores a stale release', async () => {
    const { roomId, epoch } = await loadedRoom()
    await api().post(`/internal/rooms/${roomId}/release`).set(service).send({ host: session.host, epoch: epoch + 5 }).expect(204)
    expect(await backend.db.query('SELECT host FROM placements WHERE room_id = $1', [roomId])).toEqual([{ host: session.host }])

    await api().post(`/internal/rooms/${roomId}/release`).set(service).send({ host: session.host, epoch }).expect(204)
    await api().post(`/internal/rooms/${roomId}/release`).set(service).send({ host: session.host, epoch }).expect(204)
    const [row] = await backend.db.query<{ host: string | null; epoch: unknown }>(
      'SELECT host, epoch FROM placements WHERE room_id = $1',
      [roomId],
    )
    expect(row?.host).toBeNull()
    expect(Number(row?.epoch)).toBe(epoch)

    const rejoin = await api().get(`/api/rooms/${roomId}`).set(bearer(owner.token))
    expect(rejoin.body.host).toBe(session.host)
    const reload = await api().get(`/internal/rooms/${roomId}`).query({ host: session.host }).set(service)
    expect(reload.body.epoch).toBe(epoch + 1)
  })

  it('register clears every placement on that host so its rooms are placed afresh', async () => {
    const a = await loadedRoom()
    const b = await loadedRoom()
    await api().post('/internal/servers/register').set(service).send({ host: session.host }).expect(204)
    for (const { roomId } of [a, b]) {
      expect(await backend.db.query('SELECT host FROM placements WHERE room_id = $1', [roomId])).toEqual([{ host: null }])
    }
    const stale = await commit(a.roomId, { epoch: a.epoch, afterSeq: 0, entries: [newMessage(owner.user, 'a')] })
    expect(stale.body.error.code).toBe('room_moved')
    expect((await api().post('/internal/servers/register').set(service).send({})).status).toBe(400)
  })
})

describe('PUT /internal/rooms/:roomId/board', () => {
  const rectangle = (id: string, version: number): Extract<Shape, { type: 'rectangle' }> => ({
    id,
    type: 'rectangle',
    x: 10,
    y: 20,
    width: 30,
    height: 40,
    color: '#1e40af',
    strokeWidth: 2,
    author: owner.user.id,
    version,
  })
  const saveBoard = (roomId: string, body: { epoch: number; board: unknown; host?: string }) =>
    api().put(`/internal/rooms/${roomId}/board`).set(service).send({ host: session.host, ...body })
  const storedBoard = async (roomId: string) =>
    (await backend.db.query<{ board: unknown }>('SELECT board FROM boards WHERE room_id = $1', [roomId]))[0]?.board
  const loadBoard = async (roomId: string) =>
    LoadRoomResponse.parse((await api().get(`/internal/rooms/${roomId}`).query({ host: session.host }).set(service).expect(200)).body).board

  it('loads an empty board for a room that never drew, then the board as last saved', async () => {
    const { roomId, epoch } = await loadedRoom()
    expect(await loadBoard(roomId)).toEqual({ version: 0, shapes: [], deleted: [] })
    const board: Board = { version: 3, shapes: [rectangle('a', 1), { ...rectangle('c', 3), type: 'ellipse' }], deleted: ['b'] }
    await saveBoard(roomId, { epoch, board }).expect(204)
    expect(await loadBoard(roomId)).toEqual(board)
    const next: Board = { version: 4, shapes: [rectangle('a', 4)], deleted: ['b', 'c'] }
    await saveBoard(roomId, { epoch, board: next }).expect(204)
    expect(await loadBoard(roomId)).toEqual(next)
  })

  it('fences a stale writer (old epoch, another host, released): 409 room_moved and the board unchanged; 404 for a deleted room', async () => {
    const { roomId, epoch } = await loadedRoom()
    const board: Board = { version: 1, shapes: [rectangle('a', 1)], deleted: [] }
    await saveBoard(roomId, { epoch, board }).expect(204)
    const stale: Board = { version: 2, shapes: [], deleted: ['a'] }
    for (const attempt of [{ epoch: epoch - 1 }, { epoch, host: 'other:1' }]) {
      const res = await saveBoard(roomId, { ...attempt, board: stale })
      expect(res.status).toBe(409)
      expect(res.body.error.code).toBe('room_moved')
    }
    await api().post(`/internal/rooms/${roomId}/release`).set(service).send({ host: session.host, epoch }).expect(204)
    expect((await saveBoard(roomId, { epoch, board: stale })).status).toBe(409)
    expect(await storedBoard(roomId)).toEqual(board)

    await api().delete(`/api/rooms/${roomId}`).set(bearer(owner.token)).expect(204)
    const gone = await saveBoard(roomId, { epoch, board })
    expect(gone.status).toBe(404)
    expect(await storedBoard(roomId)).toBeUndefined()
  })

  it('refuses a board that breaks the shape rules with 400 and keeps the stored one', async () => {
    const { roomId, epoch } = await loadedRoom()
    const board: Board = { version: 1, shapes: [rectangle('a', 1)], deleted: [] }
    await saveBoard(roomId, { epoch, board }).expect(204)
    const bad: unknown[] = [
      { version: 2, shapes: [{ ...rectangle('a', 2), x: BOARD_RULE.maxCoordinate + 1 }], deleted: [] },
      { version: 2, shapes: [{ ...rectangle('a', 2), color: 'red' }], deleted: [] },
      { version: 2, shapes: [{ ...rectangle('a', 2), type: 'star' }], deleted: [] },
      { version: 2, shapes: [{ ...rectangle('a', 2), points: [[0, 0], [1, 1]] }], deleted: [] },
      { version: 2, shapes: [{ ...rectangle('a', 2), type: 'path', width: undefined, height: undefined, points: [[0, 0]] }], deleted: [] },
      { version: 2, shapes: [], deleted: ['not an id'] },
      { version: -1, shapes: [], deleted: [] },
    ]
    for (const body of bad) expect((await saveBoard(roomId, { epoch, board: body })).status).toBe(400)
    expect(await loadBoard(roomId)).toEqual(board)
  })

  it('takes the largest legal board, and refuses one byte more than it could be with 413', async () => {
    const { roomId, epoch } = await loadedRoom()
    // Freehand paths of full-precision points up to BOARD_RULE.maxBoardBytes, and every deleted id at 64 characters.
    const shapes: Shape[] = []
    let bytes = 2
    for (let i = 0; ; i++) {
      const points = Array.from({ length: BOARD_RULE.maxPathPoints }, (_, p): [number, number] => [-999_999.123456789 + p, 999_999.987654321 - i])
      const path: Shape = { id: `p${i}`.padEnd(64, 'x'), type: 'path', x: 0, y: 0, points, color: '#1e40af', strokeWidth: 64, author: owner.user.id, version: 1 }
      const size = Buffer.byteLength(JSON.stringify(path)) + 1
      if (bytes + size > BOARD_RULE.maxBoardBytes) break
      shapes.push(path)
      bytes += size
    }
    const largest = {
      host: 'h'.repeat(512),
      epoch,
      board: { version: Number.MAX_SAFE_INTEGER, shapes, deleted: Array.from({ length: BOARD_RULE.maxDeletedIds }, (_, i) => `${i}`.padEnd(64, 'd')) },
    }
    expect(Buffer.byteLength(JSON.stringify(largest))).toBeLessThanOrEqual(MAX_BOARD_BODY_BYTES)
    // Read and judged on its merits: the host is not where the room is placed.
    const taken = await api().put(`/internal/rooms/${roomId}/board`).set(service).send(largest)
    expect(taken.status).toBe(409)
    const tooLarge = await api().put(`/internal/rooms/${roomId}/board`).set(service).set('content-type', 'application/json').send(`{"host":"${'x'.repeat(MAX_BOARD_BODY_BYTES)}"}`)
    expect(tooLarge.status).toBe(413)
  })
})
