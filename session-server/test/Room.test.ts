import { pino } from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { CloseCode, ErrorCode, PROTOCOL_VERSION, type ClientMessage } from '@scalable-chat/protocol'
import { SendRateLimiter } from '../src/connection/SendRateLimiter.js'
import { Room, type RoomLimits } from '../src/room/Room.js'
import { FakeBackendApi, storedMessages } from './helpers/FakeBackendApi.js'
import { fakeConnection } from './helpers/fakeSocket.js'

const LIMITS: RoomLimits = { maxUsers: 3, maxMessageLength: 20, maxBufferedBytes: 1000, typingTimeoutMs: 6000 }

const RATE = { messagesPerMinute: 10_000, messageBurst: 10_000 }

function makeRoom(backend = new FakeBackendApi(), limits: Partial<RoomLimits> = {}) {
  const hooks = { emptied: 0, closed: 0 }
  const room = new Room({
    loaded: { room: { id: 'room-1', name: 'Lobby', ownerId: 'alice' }, epoch: 7, seq: backend.seq, messages: backend.stored.slice(-100) },
    host: 'session-1:8000',
    backendApi: backend,
    rateLimiter: new SendRateLimiter(RATE),
    limits: { ...LIMITS, ...limits },
    owner: { roomEmptied: () => hooks.emptied++, roomClosed: () => hooks.closed++ },
    logger: pino({ level: 'silent' }),
  })
  return { room, backend, hooks }
}

/** A room with alice and bob in it, one connection each. */
function roomOfTwo(backend?: FakeBackendApi) {
  const made = makeRoom(backend)
  const alice = fakeConnection('alice')
  const bob = fakeConnection('bob')
  made.room.join(alice)
  made.room.join(bob)
  return { ...made, alice, bob }
}

const send = (clientId: string, text: string): ClientMessage => ({ type: 'send', clientId, text })

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
      you: { userId: 'alice', username: 'alice' },
      members: [{ userId: 'alice', username: 'alice', status: 'online' }],
      seq: 150,
      resumed: false,
      limits: { maxMessageLength: 20, ...RATE, burstWindowMs: expect.any(Number) },
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
    expect(bob.socket.ofType('user_left')).toEqual([{ type: 'user_left', userId: 'alice' }])
    room.leave(aliceTab2)
    expect(bob.socket.ofType('user_left')).toHaveLength(1)
    expect(hooks.emptied).toBe(0)
    room.leave(bob)
    expect(hooks.emptied).toBe(1)
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
    const { room, alice, bob } = roomOfTwo()
    await room.handle(alice, { type: 'typing', typing: true })
    await room.handle(alice, send('m1', 'hi'))
    expect(bob.socket.ofType('typing').map((t) => t.typing)).toEqual([true, false])
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

describe('Room#handle send (group commit)', () => {
  it('refuses empty and too long messages and changes nothing', async () => {
    const { room, backend } = makeRoom()
    const alice = fakeConnection('alice')
    room.join(alice)
    expect(await room.handle(alice, send('a', ' \u0000\u0007  '))).toMatchObject({ ok: false, code: ErrorCode.EMPTY_MESSAGE })
    expect(await room.handle(alice, send('b', 'x'.repeat(21)))).toMatchObject({ ok: false, code: ErrorCode.MESSAGE_TOO_LONG })
    await room.flushed()
    expect(backend.commits).toEqual([])
    expect(alice.socket.ofType('message')).toEqual([])
  })

  it('stores cleaned text: control characters removed except newline and tab, trimmed', async () => {
    const { room, backend } = makeRoom()
    const alice = fakeConnection('alice')
    room.join(alice)
    await room.handle(alice, send('a', '  he\u0000llo\n\tworld\u001b  '))
    await room.flushed()
    expect(backend.stored[0]?.text).toBe('hello\n\tworld')
  })

  it('sends messages that arrive together as ONE batch, and those during a commit as the next one', async () => {
    const { room, backend, alice, bob } = roomOfTwo()
    backend.hold()
    await room.handle(alice, send('a1', 'one'))
    await room.handle(bob, send('b1', 'two'))
    await vi.waitFor(() => expect(backend.heldCount).toBe(1))
    await room.handle(alice, send('a2', 'three'))
    await room.handle(bob, send('b2', 'four'))
    await room.handle(alice, send('a3', 'five'))
    expect(alice.socket.ofType('message')).toEqual([]) // nothing is visible before it is stored
    backend.releaseHeld()
    backend.hold() // the second batch waits too, so the test sees it form
    await vi.waitFor(() => expect(backend.heldCount).toBe(1))
    backend.releaseHeld()
    await room.flushed()
    expect(backend.commits.map((c) => [c.afterSeq, c.messages.map((m) => m.clientId)])).toEqual([
      [0, ['a1', 'b1']],
      [2, ['a2', 'b2', 'a3']],
    ])
    expect(backend.commits[0]).toMatchObject({ host: 'session-1:8000', epoch: 7 })
    for (const socket of [alice.socket, bob.socket]) {
      expect(socket.ofType('message').map((m) => [m.message.seq, m.message.text])).toEqual([
        [1, 'one'],
        [2, 'two'],
        [3, 'three'],
        [4, 'four'],
        [5, 'five'],
      ])
    }
    expect(room.latestSeq).toBe(5)
  })

  it('delivers a stored batch to each member in ONE write (corked), NOT one write per message', async () => {
    const { room, backend, alice, bob } = roomOfTwo()
    backend.hold()
    await room.handle(alice, send('a1', 'one'))
    await room.handle(alice, send('a2', 'two'))
    await room.handle(bob, send('b1', 'three'))
    await vi.waitFor(() => expect(backend.heldCount).toBe(1))
    backend.releaseHeld()
    await room.flushed()
    for (const socket of [alice.socket, bob.socket]) {
      const batchWrites = socket.writes.filter((frames) => frames.some((f) => f.includes('"type":"message"')))
      expect(batchWrites).toHaveLength(1)
      expect(batchWrites[0]!.map((f) => JSON.parse(f).message.clientId)).toEqual(['a1', 'a2', 'b1'])
    }
  })

  it('serialises a broadcast once: every connection gets the identical frame', async () => {
    const { room } = makeRoom()
    const tabs = [fakeConnection('alice'), fakeConnection('alice'), fakeConnection('bob')]
    for (const tab of tabs) room.join(tab)
    await room.handle(tabs[0]!, send('a1', 'hi'))
    await room.flushed()
    const frames = tabs.map((t) => t.socket.raw.filter((r) => r.includes('"type":"message"')))
    expect(frames.map((f) => f.length)).toEqual([1, 1, 1])
    expect(new Set(frames.flat()).size).toBe(1)
  })

  it('ignores a re-send of a pending clientId, and answers a re-send of a stored one to that connection alone', async () => {
    const { room, backend, alice, bob } = roomOfTwo()
    await room.handle(alice, send('a1', 'hi'))
    await room.handle(alice, send('a1', 'hi'))
    await room.flushed()
    expect(backend.stored).toHaveLength(1)
    const aliceTab2 = fakeConnection('alice')
    room.join(aliceTab2)
    expect(await room.handle(aliceTab2, send('a1', 'hi'))).toEqual({ ok: true })
    await room.flushed()
    expect(backend.commits).toHaveLength(1)
    expect(aliceTab2.socket.ofType('message').map((m) => m.message.seq)).toEqual([1])
    expect(alice.socket.ofType('message')).toHaveLength(1)
    expect(bob.socket.ofType('message')).toHaveLength(1)
  })

  it('sends an older duplicate that storage returns only to its sender', async () => {
    // The backend knows (alice, a1) but the room's memory does not (it was loaded without it).
    const backend = new FakeBackendApi([{ ...storedMessages(1, 'alice')[0]!, clientId: 'a1' }])
    const { room } = makeRoom(backend)
    ;(room as unknown as { log: { history: { findByClientId(): undefined } } }).log.history.findByClientId = () => undefined
    const alice = fakeConnection('alice')
    const bob = fakeConnection('bob')
    room.join(alice)
    room.join(bob)
    await room.handle(alice, send('a1', 'again'))
    await room.flushed()
    expect(alice.socket.ofType('message').map((m) => m.message.seq)).toEqual([1])
    expect(bob.socket.ofType('message')).toEqual([])
    expect(room.latestSeq).toBe(1)
  })

  it('retries a batch after a transient failure and broadcasts only once stored', async () => {
    const { room, backend } = makeRoom()
    backend.failures.push({ ok: false, reason: 'unavailable', detail: 'HTTP 503' })
    const alice = fakeConnection('alice')
    room.join(alice)
    await room.handle(alice, send('a1', 'hi'))
    await room.flushed()
    expect(backend.commits.map((c) => c.messages[0]?.id)).toEqual([
      backend.commits[0]?.messages[0]?.id,
      backend.commits[0]?.messages[0]?.id,
    ])
    expect(alice.socket.ofType('message')).toHaveLength(1)
  })

  it.each([
    ['moved', CloseCode.ROOM_MOVED],
    ['not_found', CloseCode.ROOM_DELETED],
    // A 2xx with an unreadable body: stored, but the room's seq is stale; a reload fixes it.
    ['unreadable', CloseCode.ROOM_MOVED],
  ] as const)('when storage answers %s, closes every socket with %i and does NOT acknowledge', async (reason, code) => {
    const { room, backend, hooks } = makeRoom()
    backend.failures.push(reason === 'unreadable' ? { ok: false, reason, detail: 'response is not JSON' } : { ok: false, reason })
    const alice = fakeConnection('alice')
    const bob = fakeConnection('bob')
    room.join(alice)
    room.join(bob)
    await room.handle(alice, send('a1', 'hi'))
    await room.flushed()
    expect(alice.socket.closed?.code).toBe(code)
    expect(bob.socket.closed?.code).toBe(code)
    expect(alice.socket.ofType('message')).toEqual([])
    expect(hooks.closed).toBe(1)
    expect(room.isClosed).toBe(true)
  })

  it('answers a batch storage rejects for good with an unavailable error carrying the clientId', async () => {
    const { room, backend } = makeRoom()
    backend.failures.push({ ok: false, reason: 'rejected', detail: 'HTTP 400' })
    const alice = fakeConnection('alice')
    room.join(alice)
    await room.handle(alice, send('a1', 'hi'))
    await room.flushed()
    expect(alice.socket.ofType('error')).toEqual([
      { type: 'error', code: ErrorCode.UNAVAILABLE, message: expect.any(String), clientId: 'a1' },
    ])
  })
})

describe('Room#handle send (rate allowance)', () => {
  it('refuses a new send over the burst with rate_limited, but takes a re-send of a pending or stored one free', async () => {
    const room = new Room({
      loaded: { room: { id: 'room-1', name: 'Lobby', ownerId: 'alice' }, epoch: 1, seq: 0, messages: [] },
      host: 'session-1:8000',
      backendApi: new FakeBackendApi(),
      rateLimiter: new SendRateLimiter({ messagesPerMinute: 100, messageBurst: 2 }),
      limits: LIMITS,
      owner: { roomEmptied() {}, roomClosed() {} },
      logger: pino({ level: 'silent' }),
    })
    const alice = fakeConnection('alice')
    room.join(alice)
    expect(await room.handle(alice, send('a1', 'one'))).toEqual({ ok: true })
    // Pending (not stored yet): free.
    expect(await room.handle(alice, send('a1', 'one'))).toEqual({ ok: true })
    await room.flushed()
    expect(await room.handle(alice, send('a2', 'two'))).toEqual({ ok: true })
    // Stored: free, and answered with the original.
    expect(await room.handle(alice, send('a1', 'one'))).toEqual({ ok: true })
    expect(await room.handle(alice, send('a3', 'three'))).toMatchObject({ ok: false, code: ErrorCode.RATE_LIMITED })
    await room.flushed()
    expect(alice.socket.ofType('message').map((m) => m.message.clientId)).toEqual(['a1', 'a1', 'a2'])
    room.close(CloseCode.SERVICE_RESTART)
  })
})

describe('Room commit failures', () => {
  it('when storing a batch throws, tells its sender and stores a re-send of the same clientId (NOT ignored as pending)', async () => {
    const { room, backend } = makeRoom()
    vi.spyOn(backend, 'commit').mockRejectedValueOnce(new Error('bug in commit'))
    const alice = fakeConnection('alice')
    room.join(alice)
    await room.handle(alice, send('a1', 'hi'))
    await room.flushed()
    expect(alice.socket.ofType('error')).toEqual([
      { type: 'error', code: ErrorCode.UNAVAILABLE, message: expect.any(String), clientId: 'a1' },
    ])
    expect(backend.stored).toEqual([])

    expect(await room.handle(alice, send('a1', 'hi'))).toEqual({ ok: true })
    await room.flushed()
    expect(backend.stored.map((m) => m.clientId)).toEqual(['a1'])
    expect(alice.socket.ofType('message').map((m) => m.message.clientId)).toEqual(['a1'])
    expect(room.isClosed).toBe(false)
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
    expect(alice.socket.ofType('user_left')).toEqual([{ type: 'user_left', userId: 'bob' }])
    expect(alice.socket.ofType('message')).toHaveLength(1)
  })
})
