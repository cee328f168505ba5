/** Read positions: `read` frames, their relay to the user's other connections, and their batched, fenced saves. */
import { pino } from 'pino'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { MyRoom } from '@scalable-chat/backend-contract'
import { ErrorCode, PROTOCOL_VERSION } from '@scalable-chat/protocol'
import { ReadPositions } from '../src/room/ReadPositions.js'
import { FakeBackendApi, storedMessages } from './helpers/FakeBackendApi.js'
import { fakeConnection } from './helpers/fakeSocket.js'
import { makeRoom } from './helpers/makeRoom.js'
import { startStack, uniqueName, type Stack } from './helpers/stack.js'

afterEach(() => {
  vi.useRealTimers()
})

const read = (seq: number) => ({ type: 'read', seq }) as const

describe('Room: read', () => {
  it("tells the reader's other connections, not the reading one nor anyone else; forward only, and never past the latest seq", async () => {
    const { room } = makeRoom(new FakeBackendApi(storedMessages(5)))
    const [tab1, tab2, bob] = [fakeConnection('alice'), fakeConnection('alice'), fakeConnection('bob')]
    for (const connection of [tab1, tab2, bob]) room.join(connection)
    expect(await room.handle(tab1, read(3))).toEqual({ ok: true })
    expect(tab2.socket.ofType('read')).toEqual([{ type: 'read', seq: 3 }])
    expect(await room.handle(tab1, read(2))).toEqual({ ok: true })
    expect(await room.handle(tab2, read(3))).toEqual({ ok: true })
    expect(await room.handle(tab2, read(1_000))).toEqual({ ok: true })
    expect(tab1.socket.ofType('read')).toEqual([{ type: 'read', seq: 5 }])
    expect(tab2.socket.ofType('read')).toEqual([{ type: 'read', seq: 3 }])
    expect(bob.socket.ofType('read')).toEqual([])
  })

  it("gives a joining connection the newer of its token's read position and the one the room holds", async () => {
    const { room } = makeRoom(new FakeBackendApi(storedMessages(5)))
    const joinWith = (readSeq: number) => {
      const connection = { ...fakeConnection('alice'), readSeq }
      room.join(connection)
      return { connection, readSeq: connection.socket.ofType('snapshot')[0]!.you.readSeq }
    }
    const first = joinWith(2)
    expect(first.readSeq).toBe(2)
    await room.handle(first.connection, read(4))
    // Minted before the room's save reached storage: the room knows better.
    expect(joinWith(1).readSeq).toBe(4)
    expect(joinWith(5).readSeq).toBe(5)
    expect(joinWith(0).readSeq).toBe(5)
  })

  it('saves the positions that moved, batched, with the room’s host and epoch, and at once when flushed (unload, drain)', async () => {
    vi.useFakeTimers()
    const backend = new FakeBackendApi(storedMessages(5))
    const { room } = makeRoom(backend)
    const [alice, bob] = [fakeConnection('alice'), fakeConnection('bob')]
    room.join(alice)
    room.join(bob)
    await room.handle(alice, read(2))
    await room.handle(alice, read(3))
    await room.handle(bob, read(1))
    expect(backend.readReports).toEqual([])
    await vi.advanceTimersByTimeAsync(5_000)
    expect(backend.readReports).toEqual([
      { roomId: 'room-1', host: 'session-1:8000', epoch: backend.epoch, reads: [{ userId: 'alice', seq: 3 }, { userId: 'bob', seq: 1 }] },
    ])
    await room.handle(bob, read(4))
    await room.flushed()
    expect(backend.readReports.at(-1)?.reads).toEqual([{ userId: 'bob', seq: 4 }])
    await room.flushed()
    expect(backend.readReports).toHaveLength(2)
  })

  it("saves a member's position at once when their last connection closes, not before", async () => {
    const backend = new FakeBackendApi(storedMessages(5))
    const { room } = makeRoom(backend)
    const [tab1, tab2] = [fakeConnection('alice'), fakeConnection('alice')]
    room.join(tab1)
    room.join(tab2)
    await room.handle(tab1, read(5))
    room.leave(tab1)
    expect(backend.readReports).toEqual([])
    room.leave(tab2)
    await vi.waitFor(() => expect(backend.readReports.map((report) => report.reads)).toEqual([[{ userId: 'alice', seq: 5 }]]))
  })
})

describe('ReadPositions', () => {
  const positions = (backend: FakeBackendApi) =>
    new ReadPositions({ roomId: 'room-1', host: 'h:1', epoch: backend.epoch, backendApi: backend, logger: pino({ level: 'silent' }), intervalMs: 60_000 })

  it('keeps a position the backend could not take and sends it with the next save', async () => {
    const backend = new FakeBackendApi()
    backend.readFailures.push({ ok: false, reason: 'unavailable', detail: 'down' })
    const reads = positions(backend)
    reads.read('alice', 2, 10)
    await reads.flush()
    reads.read('bob', 1, 10)
    await reads.flush()
    expect(backend.readReports.map((report) => report.reads)).toEqual([[{ userId: 'alice', seq: 2 }], [{ userId: 'alice', seq: 2 }, { userId: 'bob', seq: 1 }]])
  })

  it('stops saving once fenced (the room is placed elsewhere)', async () => {
    const backend = new FakeBackendApi()
    const reads = positions(backend)
    backend.epoch++
    reads.read('alice', 2, 10)
    await reads.flush()
    reads.read('alice', 3, 10)
    await reads.flush()
    expect(backend.readReports).toHaveLength(1)
  })
})

describe('read on a real session server', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ PRESENCE_INTERVAL_MS: '0' })
  })
  afterAll(() => stack.close())

  it("relays a read to the user's other tab only, refuses bad read frames without closing, and stores it by the drain", async () => {
    const { roomId, users } = await stack.usersInRoom([uniqueName('ana'), uniqueName('bo')])
    const [ana, bo] = users as [(typeof users)[number], (typeof users)[number]]
    for (let i = 1; i <= 3; i++) bo.client.send({ type: 'send', clientId: `m${i}`, text: `hello ${i}` })
    await ana.client.waitForCount('message', 3)
    const { token } = await stack.join(ana.auth.token, roomId)
    const tab2 = stack.connect({ token, v: PROTOCOL_VERSION })
    expect((await tab2.next('snapshot')).you.readSeq).toBe(0)

    for (const bad of [{ type: 'read' }, { type: 'read', seq: -1 }, { type: 'read', seq: '2' }, { type: 'read', seq: 1.5 }, { type: 'read', seq: 2, extra: 1 }]) {
      ana.client.send(bad)
      expect((await ana.client.next('error')).code).toBe(ErrorCode.INVALID_MESSAGE)
    }
    ana.client.send(read(2))
    expect(await tab2.next('read')).toEqual({ type: 'read', seq: 2 })
    // Bo's sentinel: everything the server sent bo before its echo has arrived.
    bo.client.send({ type: 'status', status: 'away' })
    await bo.client.next('status')
    expect(bo.client.all('read')).toEqual([])
    expect(ana.client.all('read')).toEqual([])

    await stack.stopSession()
    const lobby = (await (await fetch(`${stack.backend.url}/api/rooms`, { headers: { authorization: `Bearer ${ana.auth.token}` } })).json()) as { rooms: MyRoom[] }
    expect(lobby.rooms.find((room) => room.roomId === roomId)).toMatchObject({ unread: 1 })
  })
})
