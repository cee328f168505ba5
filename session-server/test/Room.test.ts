import { afterEach, describe, expect, it, vi } from 'vitest'
import { CloseCode, ErrorCode, PROTOCOL_VERSION } from '@scalable-chat/protocol'
import { FakeBackendApi, storedMessages } from './helpers/FakeBackendApi.js'
import { fakeConnection } from './helpers/fakeSocket.js'
import { LIMITS, makeRoom, RATE, roomOfTwo, send } from './helpers/makeRoom.js'

afterEach(() => {
  vi.useRealTimers()
})

describe('Room#join', () => {
  it('sends a snapshot with the room, the member itself, the latest 100 messages, seq and limits', async () => {
    const { room } = makeRoom(new FakeBackendApi(storedMessages(150)))
    const alice = fakeConnection('alice')
    expect(room.join(alice)).toEqual({ ok: true })
    const [snapshot] = alice.socket.messages
    expect(snapshot).toMatchObject({
      type: 'snapshot',
      protocol: PROTOCOL_VERSION,
      room: { id: 'room-1', name: 'Lobby', ownerId: 'alice' },
      you: { userId: 'alice', username: 'alice', readSeq: 0 },
      members: [{ userId: 'alice', username: 'alice', status: 'online' }],
      seq: 150,
      resumed: false,
      limits: { maxMessageLength: 20, typingTimeoutMs: LIMITS.typingTimeoutMs, ...RATE, burstWindowMs: expect.any(Number) },
    })
    if (snapshot?.type !== 'snapshot') throw new Error('expected a snapshot')
    expect(snapshot.messages.map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => 51 + i))
  })

  it('with since held in memory, sends exactly the messages after it (resumed)', async () => {
    const { room } = makeRoom(new FakeBackendApi(storedMessages(150)))
    const alice = fakeConnection('alice')
    room.join(alice, 140)
    const snapshot = alice.socket.ofType('snapshot')[0]
    expect(snapshot?.resumed).toBe(true)
    expect(snapshot?.messages.map((m) => m.seq)).toEqual([141, 142, 143, 144, 145, 146, 147, 148, 149, 150])
  })

  it('with since equal to the latest seq, resumes with no messages', async () => {
    const { room } = makeRoom(new FakeBackendApi(storedMessages(5)))
    const alice = fakeConnection('alice')
    room.join(alice, 5)
    expect(alice.socket.ofType('snapshot')[0]).toMatchObject({ resumed: true, messages: [] })
  })

  it('with since older than memory or ahead of the room, sends the latest page (NOT resumed)', async () => {
    const { room } = makeRoom(new FakeBackendApi(storedMessages(150)))
    for (const since of [10, 151]) {
      const tab = fakeConnection('alice')
      room.join(tab, since)
      const snapshot = tab.socket.ofType('snapshot')[0]
      expect(snapshot?.resumed).toBe(false)
      expect(snapshot?.messages).toHaveLength(100)
    }
  })

  it('announces a new member to the others, not to itself', async () => {
    const { room, alice, bob } = roomOfTwo()
    expect(alice.socket.ofType('user_joined')).toEqual([
      { type: 'user_joined', member: { userId: 'bob', username: 'bob', status: 'online' } },
    ])
    expect(bob.socket.ofType('user_joined')).toEqual([])
    expect(bob.socket.ofType('snapshot')[0]?.members.map((m) => m.userId)).toEqual(['alice', 'bob'])
  })

  it('refuses a new user when the room holds maxUsers distinct users, but NOT another tab of a member', async () => {
    const { room } = makeRoom(undefined, { maxUsers: 2 })
    room.join(fakeConnection('alice'))
    room.join(fakeConnection('bob'))
    const carol = fakeConnection('carol')
    expect(room.join(carol)).toMatchObject({ ok: false, code: ErrorCode.ROOM_FULL, close: CloseCode.ROOM_FULL })
    expect(carol.socket.raw).toEqual([])
    expect(room.join(fakeConnection('alice'))).toEqual({ ok: true })
    expect(room.memberCount).toBe(2)
  })
})

describe('Room presence with several tabs', () => {
  it('counts two tabs of one user as ONE member and sends user_left only after both leave', async () => {
    const { room, hooks } = makeRoom()
    const bob = fakeConnection('bob')
    const aliceTab1 = fakeConnection('alice')
    const aliceTab2 = fakeConnection('alice')
    room.join(bob)
    room.join(aliceTab1)
    room.join(aliceTab2)
    expect(bob.socket.ofType('user_joined')).toHaveLength(1)
    expect(aliceTab2.socket.ofType('snapshot')[0]?.members).toHaveLength(2)
    expect(room.memberCount).toBe(2)

    room.leave(aliceTab1)
    expect(bob.socket.ofType('user_left')).toEqual([])
    room.leave(aliceTab2)
    expect(bob.socket.ofType('user_left')).toEqual([{ type: 'user_left', userId: 'alice', lastSeenAt: expect.any(String) }])
    room.leave(aliceTab2)
    expect(bob.socket.ofType('user_left')).toHaveLength(1)
    expect(hooks.emptied).toBe(0)
    room.leave(bob)
    expect(hooks.emptied).toBe(1)
  })
})

describe('Room members offline', () => {
  it('lists loaded members who are not connected, most recently seen first; a member going offline comes with the time', async () => {
    const backend = new FakeBackendApi()
    backend.members = [
      { userId: 'carol', username: 'carol', lastSeenAt: '2026-01-02T00:00:00.000Z' },
      { userId: 'bob', username: 'bob', lastSeenAt: '2026-01-01T00:00:00.000Z' },
      { userId: 'dave', username: 'dave', lastSeenAt: null },
    ]
    const { room } = makeRoom(backend)
    const bob = fakeConnection('bob')
    room.join(bob)
    expect(bob.socket.ofType('snapshot')[0]?.offline.map((m) => m.userId)).toEqual(['carol', 'dave'])
    room.leave(bob)
    const alice = fakeConnection('alice')
    room.join(alice)
    const offline = alice.socket.ofType('snapshot')[0]!.offline
    expect(offline.map((m) => m.userId)).toEqual(['bob', 'carol', 'dave'])
    expect(Date.parse(offline[0]!.lastSeenAt!)).toBeGreaterThan(Date.parse('2026-01-02T00:00:00.000Z'))
  })

  it('takes a member who leaves the room while not connected off the offline list, and tells the others', async () => {
    const backend = new FakeBackendApi()
    backend.members = [{ userId: 'carol', username: 'carol', lastSeenAt: '2026-01-02T00:00:00.000Z' }]
    const { room } = makeRoom(backend)
    const alice = fakeConnection('alice')
    room.join(alice)
    room.memberLeft('carol')
    expect(alice.socket.ofType('user_left')).toEqual([{ type: 'user_left', userId: 'carol' }])
    room.memberLeft('carol')
    expect(alice.socket.ofType('user_left')).toHaveLength(1)
    const tab = fakeConnection('alice')
    room.join(tab)
    expect(tab.socket.ofType('snapshot')[0]?.offline).toEqual([])
  })

  it('does not list a member who left the room altogether, and tells the others without a time', async () => {
    const { room, alice, bob } = roomOfTwo()
    room.memberLeft('bob')
    expect(alice.socket.ofType('user_left')).toEqual([{ type: 'user_left', userId: 'bob' }])
    expect(bob.socket.closed?.code).toBe(CloseCode.LEFT_ROOM)
    const tab = fakeConnection('alice')
    room.join(tab)
    expect(tab.socket.ofType('snapshot')[0]?.offline).toEqual([])
  })
})

describe('Room typing and status', () => {
  it('tells the others (not the typist) and expires typing after the timeout', async () => {
    vi.useFakeTimers()
    const { room, alice, bob } = roomOfTwo()
    await room.handle(alice, { type: 'typing', typing: true })
    await room.handle(alice, { type: 'typing', typing: true })
    expect(bob.socket.ofType('typing')).toEqual([{ type: 'typing', userId: 'alice', username: 'alice', typing: true }])
    expect(alice.socket.ofType('typing')).toEqual([])
    await vi.advanceTimersByTimeAsync(LIMITS.typingTimeoutMs - 1)
    expect(bob.socket.ofType('typing')).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(bob.socket.ofType('typing').at(-1)).toMatchObject({ userId: 'alice', typing: false })
  })

  it('stops typing when the typist sends a message or leaves', async () => {
    vi.useFakeTimers()
    const { room, alice, bob } = roomOfTwo()
    await room.handle(alice, { type: 'typing', typing: true })
    await room.handle(alice, send('m1', 'hi'))
    expect(bob.socket.ofType('typing').map((t) => t.typing)).toEqual([true, false])
    await vi.advanceTimersByTimeAsync(LIMITS.presenceIntervalMs)
    await room.handle(alice, { type: 'typing', typing: true })
    room.leave(alice)
    expect(bob.socket.ofType('typing').map((t) => t.typing)).toEqual([true, false, true, false])
    const types = bob.socket.messages.map((m) => m.type)
    expect(types.lastIndexOf('typing')).toBeLessThan(types.lastIndexOf('user_left'))
    room.close(CloseCode.SERVICE_RESTART)
  })

  it('broadcasts a status change to everyone, the member included, and shows it in later snapshots', async () => {
    const { room, alice, bob } = roomOfTwo()
    await room.handle(alice, { type: 'status', status: 'away' })
    await room.handle(alice, { type: 'status', status: 'away' })
    const event = { type: 'status', userId: 'alice', status: 'away' }
    expect(alice.socket.ofType('status')).toEqual([event])
    expect(bob.socket.ofType('status')).toEqual([event])
    const carol = fakeConnection('carol')
    room.join(carol)
    expect(carol.socket.ofType('snapshot')[0]?.members.find((m) => m.userId === 'alice')?.status).toBe('away')
  })
})

describe('Room typing and status, coalesced', () => {
  it('turns a storm of toggles into at most one announcement of each per interval, carrying the latest state', async () => {
    vi.useFakeTimers()
    const { room, alice, bob } = roomOfTwo()
    for (let i = 0; i < 1000; i++) {
      await room.handle(alice, { type: 'typing', typing: i % 2 === 0 })
      await room.handle(alice, { type: 'status', status: i % 2 === 0 ? 'away' : 'dnd' })
      if (i % 100 === 99) await vi.advanceTimersByTimeAsync(100)
    }
    await vi.advanceTimersByTimeAsync(LIMITS.presenceIntervalMs)
    // 1000 of each over ~1 s: the first at once, then one per interval, and the last state once more.
    const typing = bob.socket.ofType('typing')
    const status = bob.socket.ofType('status')
    expect(typing.length).toBeLessThanOrEqual(4)
    expect(status.length).toBeLessThanOrEqual(4)
    expect(typing.at(-1)?.typing).toBe(false)
    expect(status.at(-1)?.status).toBe('dnd')
    expect(alice.socket.ofType('status').at(-1)?.status).toBe('dnd')
    room.close(CloseCode.SERVICE_RESTART)
  })

  it('says nothing of a change undone within the interval', async () => {
    vi.useFakeTimers()
    const { room, alice, bob } = roomOfTwo()
    await room.handle(alice, { type: 'status', status: 'away' })
    await room.handle(alice, { type: 'status', status: 'online' })
    await room.handle(alice, { type: 'status', status: 'away' })
    await room.handle(alice, { type: 'typing', typing: true })
    await room.handle(alice, { type: 'typing', typing: false })
    await vi.advanceTimersByTimeAsync(LIMITS.presenceIntervalMs * 2)
    // The first change goes out at once; the rest came back to what was told, so nothing more.
    expect(bob.socket.ofType('status')).toEqual([{ type: 'status', userId: 'alice', status: 'away' }])
    expect(bob.socket.ofType('typing')).toEqual([])
    room.close(CloseCode.SERVICE_RESTART)
  })
})

describe('Room#broadcast backpressure', () => {
  it('closes a connection whose send buffer is over the limit with TOO_SLOW instead of buffering more', async () => {
    const { room } = makeRoom()
    const alice = fakeConnection('alice')
    const slow = fakeConnection('bob')
    room.join(alice)
    room.join(slow)
    slow.socket.bufferedAmount = LIMITS.maxBufferedBytes + 1
    await room.handle(alice, send('a1', 'hi'))
    await room.flushed()
    expect(slow.socket.closed?.code).toBe(CloseCode.TOO_SLOW)
    expect(slow.socket.ofType('message')).toEqual([])
    expect(alice.socket.ofType('user_left')).toEqual([{ type: 'user_left', userId: 'bob', lastSeenAt: expect.any(String) }])
    expect(alice.socket.ofType('message')).toHaveLength(1)
  })
})
