/**
 * A room's sends, through `Room#handle` and its `RoomLog`: cleaned and checked, de-duplicated by
 * clientId, charged to the sender's allowance, group-committed, broadcast once stored.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { CloseCode, ErrorCode } from '@scalable-chat/protocol'
import { FakeBackendApi, storedMessages } from './helpers/FakeBackendApi.js'
import { fakeConnection } from './helpers/fakeSocket.js'
import { makeRoom, roomOfTwo, send } from './helpers/makeRoom.js'

afterEach(() => {
  vi.useRealTimers()
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
    expect(backend.commits.map((c) => [c.afterSeq, c.entries.map((m) => m.clientId)])).toEqual([
      [0, ['a1', 'b1']],
      [2, ['a2', 'b2', 'a3']],
    ])
    expect(backend.commits[0]).toMatchObject({ host: 'session-1:8000', epoch: backend.epoch })
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
    expect(backend.commits.map((c) => c.entries[0]?.id)).toEqual([
      backend.commits[0]?.entries[0]?.id,
      backend.commits[0]?.entries[0]?.id,
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
    const { room } = makeRoom(undefined, {}, { messagesPerMinute: 100, messageBurst: 2 })
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
