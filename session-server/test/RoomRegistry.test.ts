import { pino } from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { BackendResult } from '../src/backendApi/BackendApi.js'
import { CloseCode } from '@scalable-chat/protocol'
import { SendRateLimiter } from '../src/connection/SendRateLimiter.js'
import { RoomRegistry } from '../src/room/RoomRegistry.js'
import { FakeBackendApi, storedMessages } from './helpers/FakeBackendApi.js'
import { fakeConnection } from './helpers/fakeSocket.js'
import { LIMITS } from './helpers/makeRoom.js'

const UNLOAD_GRACE_MS = 30_000

function makeRegistry(backend = new FakeBackendApi()) {
  const registry = new RoomRegistry({
    backendApi: backend,
    host: 'session-1:8000',
    rateLimiter: new SendRateLimiter({ messagesPerMinute: 1000, messageBurst: 1000 }),
    limits: { ...LIMITS, maxUsers: 10, maxMessageLength: 100, maxBufferedBytes: 100_000 },
    unloadGraceMs: UNLOAD_GRACE_MS,
    logger: pino({ level: 'silent' }),
    loadRetryDelaysMs: [0, 0],
  })
  return { registry, backend }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('RoomRegistry#acquire', () => {
  it('shares ONE load between concurrent acquires of a room', async () => {
    const { registry, backend } = makeRegistry()
    const load = vi.spyOn(backend, 'loadRoom')
    const [a, b] = await Promise.all([registry.acquire('room-1'), registry.acquire('room-1')])
    expect(load).toHaveBeenCalledTimes(1)
    expect(a.ok && b.ok && a.room === b.room).toBe(true)
    expect(registry.size).toBe(1)
  })

  it.each([
    [{ ok: false, reason: 'not_found' }, CloseCode.ROOM_DELETED, 1],
    [{ ok: false, reason: 'moved' }, CloseCode.ROOM_MOVED, 1],
    // Tried again after each of the two retry delays, then given up.
    [{ ok: false, reason: 'unavailable', detail: 'HTTP 503' }, CloseCode.ROOM_UNAVAILABLE, 3],
  ] as const)('answers a failed load (%j) with close %i after %i attempt(s) and holds nothing', async (failure, close, attempts) => {
    const { registry, backend } = makeRegistry()
    const load = vi.spyOn(backend, 'loadRoom').mockResolvedValue(failure as BackendResult<never>)
    expect(await registry.acquire('room-1')).toEqual({ ok: false, close })
    expect(load).toHaveBeenCalledTimes(attempts)
    expect(registry.size).toBe(0)
  })

  it('loads again when the backend did not answer, and every waiting join gets the room', async () => {
    const { registry, backend } = makeRegistry()
    const load = vi.spyOn(backend, 'loadRoom').mockResolvedValueOnce({ ok: false, reason: 'unavailable', detail: 'no answer within 10000 ms' })
    const [a, b] = await Promise.all([registry.acquire('room-1'), registry.acquire('room-1')])
    expect(load).toHaveBeenCalledTimes(2)
    expect(a.ok && b.ok && a.room === b.room).toBe(true)
    expect(registry.size).toBe(1)
  })
})

describe('RoomRegistry#acquire with a newer placement epoch', () => {
  it('closes a stale copy with ROOM_MOVED and reloads it with the new epoch and seq; a resuming client gets a resumed snapshot', async () => {
    const { registry, backend } = makeRegistry(new FakeBackendApi(storedMessages(3)))
    const stale = await registry.acquire('room-1', 1)
    if (!stale.ok) throw new Error('expected the room')
    const reader = fakeConnection('reader')
    stale.room.join(reader)

    // The room moved to another host, which stored two more messages, and then came back: epoch 3.
    backend.stored.push(...storedMessages(5).slice(3))
    backend.epoch = 3
    const fresh = await registry.acquire('room-1', 3)
    if (!fresh.ok) throw new Error('expected the room')
    expect(reader.socket.closed?.code).toBe(CloseCode.ROOM_MOVED)
    expect(stale.room.isClosed).toBe(true)
    expect(fresh.room).not.toBe(stale.room)
    expect({ epoch: fresh.room.epoch, seq: fresh.room.latestSeq }).toEqual({ epoch: 3, seq: 5 })
    expect(backend.releases).toEqual([])

    const resuming = fakeConnection('reader')
    fresh.room.join(resuming, 4)
    expect(resuming.socket.ofType('snapshot')[0]).toMatchObject({ resumed: true, seq: 5, messages: [expect.objectContaining({ seq: 5 })] })
  })

  it('keeps the room for a token minted with an older or equal epoch', async () => {
    const { registry, backend } = makeRegistry()
    backend.epoch = 2
    const held = await registry.acquire('room-1', 2)
    const older = await registry.acquire('room-1', 1)
    expect(held.ok && older.ok && held.room === older.room).toBe(true)
  })
})

describe('RoomRegistry#unloadIfEmpty', () => {
  it('unloads and releases an empty room after the grace period, NOT before', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { registry, backend } = makeRegistry()
    const acquired = await registry.acquire('room-1')
    if (!acquired.ok) throw new Error('expected the room')
    registry.unloadIfEmpty(acquired.room)
    await vi.advanceTimersByTimeAsync(UNLOAD_GRACE_MS - 1)
    expect(registry.size).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    await vi.waitFor(() => expect(backend.releases).toEqual([{ roomId: 'room-1', epoch: 1 }]))
    expect(registry.size).toBe(0)
    expect(acquired.room.isClosed).toBe(true)
  })

  it('keeps a room that someone acquires again during the grace period', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { registry, backend } = makeRegistry()
    const first = await registry.acquire('room-1')
    if (!first.ok) throw new Error('expected the room')
    registry.unloadIfEmpty(first.room)
    const again = await registry.acquire('room-1')
    await vi.advanceTimersByTimeAsync(UNLOAD_GRACE_MS * 2)
    expect(again.ok && again.room === first.room).toBe(true)
    expect(backend.releases).toEqual([])
    expect(first.room.isClosed).toBe(false)
  })
})

describe('RoomRegistry#delete', () => {
  it('closes the room with ROOM_DELETED after room_deleted, forgets it, and does NOT release it', async () => {
    const { registry, backend } = makeRegistry()
    const acquired = await registry.acquire('room-1')
    if (!acquired.ok) throw new Error('expected the room')
    const alice = fakeConnection('alice')
    acquired.room.join(alice)
    expect(registry.delete('room-1')).toBe(true)
    expect(alice.socket.messages.at(-1)).toEqual({ type: 'room_deleted' })
    expect(alice.socket.closed?.code).toBe(CloseCode.ROOM_DELETED)
    expect(registry.size).toBe(0)
    expect(backend.releases).toEqual([])
    expect(registry.delete('room-1')).toBe(false)
  })
})

describe('RoomRegistry#drain', () => {
  it('stores pending messages, releases each room BEFORE closing its sockets with SERVICE_RESTART, and refuses new joins', async () => {
    const { registry, backend } = makeRegistry()
    const acquired = await registry.acquire('room-1')
    if (!acquired.ok) throw new Error('expected the room')
    const alice = fakeConnection('alice')
    acquired.room.join(alice)
    acquired.room.handle(alice, { type: 'send', clientId: 'a1', text: 'last words' })
    const closedAtRelease: boolean[] = []
    const release = backend.release.bind(backend)
    vi.spyOn(backend, 'release').mockImplementation((roomId, host, epoch) => {
      closedAtRelease.push(alice.socket.closed !== undefined)
      return release(roomId, host, epoch)
    })

    await registry.drain()
    expect(backend.stored.map((m) => m.clientId)).toEqual(['a1'])
    expect(closedAtRelease).toEqual([false])
    expect(alice.socket.closed?.code).toBe(CloseCode.SERVICE_RESTART)
    expect(registry.size).toBe(0)
    expect(registry.isDraining).toBe(true)
    expect(await registry.acquire('room-2')).toEqual({ ok: false, close: CloseCode.SERVICE_RESTART })
  })
})
