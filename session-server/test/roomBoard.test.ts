/** The board of a Room: deltas to every member, pointer batches, and saving (fake sockets, scripted backend). */
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ShapeInput } from '@scalable-chat/backend-contract'
import { CloseCode, ErrorCode, type ClientMessage } from '@scalable-chat/protocol'
import { FakeBackendApi } from './helpers/FakeBackendApi.js'
import { fakeConnection } from './helpers/fakeSocket.js'
import { LIMITS, makeRoom, roomOfTwo } from './helpers/makeRoom.js'

afterEach(() => {
  vi.useRealTimers()
})

const rect = (id: string): ShapeInput => ({ id, type: 'rectangle', x: 1, y: 2, width: 30, height: 40, color: '#1e40af', strokeWidth: 2 })
const create = (id: string, ref?: string): ClientMessage => ({ type: 'shape_create', shape: rect(id), ...(ref ? { ref } : {}) })

describe('Room board edits', () => {
  it('broadcasts each applied edit as a delta to every member, with the version and the sender’s ref', async () => {
    const { room, alice, bob } = roomOfTwo()
    expect(await room.handle(alice, create('s1', 'r1'))).toEqual({ ok: true })
    expect(await room.handle(bob, { type: 'shape_update', id: 's1', version: 1, changes: { x: 50 }, ref: 'r2' })).toEqual({ ok: true })
    expect(await room.handle(alice, { type: 'shape_delete', id: 's1' })).toEqual({ ok: true })
    for (const member of [alice, bob]) {
      expect(member.socket.messages.filter((m) => m.type.startsWith('shape_'))).toEqual([
        { type: 'shape_created', shape: { ...rect('s1'), author: 'alice', version: 1 }, ref: 'r1' },
        { type: 'shape_updated', id: 's1', changes: { x: 50 }, version: 2, by: 'bob', ref: 'r2' },
        { type: 'shape_deleted', id: 's1', version: 3, by: 'alice' },
      ])
    }
  })

  it('answers a re-sent create or delete to its connection alone, and changes nothing', async () => {
    const { room, alice, bob } = roomOfTwo()
    await room.handle(alice, create('s1'))
    bob.socket.clear()
    const tab = fakeConnection('alice')
    room.join(tab)
    await room.handle(tab, create('s1', 'again'))
    expect(tab.socket.ofType('shape_created')).toEqual([{ type: 'shape_created', shape: { ...rect('s1'), author: 'alice', version: 1 }, ref: 'again' }])
    await room.handle(alice, { type: 'shape_delete', id: 's1' })
    await room.handle(tab, { type: 'shape_delete', id: 's1', ref: 'twice' })
    await room.handle(tab, create('s1', 'thrice'))
    expect(tab.socket.ofType('shape_deleted').map((m) => m.ref)).toEqual([undefined, 'twice', 'thrice'])
    expect(bob.socket.ofType('shape_created')).toEqual([])
    expect(bob.socket.ofType('shape_deleted')).toHaveLength(1)
  })

  it('refuses an edit that breaks a rule as a value, broadcasting nothing', async () => {
    const { room, alice, bob } = roomOfTwo()
    await room.handle(alice, create('s1'))
    bob.socket.clear()
    expect(await room.handle(bob, create('s1'))).toMatchObject({ ok: false, code: ErrorCode.SHAPE_EXISTS })
    expect(await room.handle(bob, { type: 'shape_update', id: 'nope', version: 1, changes: { x: 1 } })).toMatchObject({
      ok: false,
      code: ErrorCode.SHAPE_NOT_FOUND,
    })
    await room.handle(alice, { type: 'shape_update', id: 's1', version: 1, changes: { y: 9 } })
    expect(await room.handle(bob, { type: 'shape_update', id: 's1', version: 1, changes: { y: 1 } })).toMatchObject({
      ok: false,
      code: ErrorCode.STALE_UPDATE,
    })
    expect(bob.socket.messages.map((m) => m.type)).toEqual(['shape_updated'])
  })

  it('refuses edits as unavailable once the board is frozen for a move (drain), pointers still moving', async () => {
    const { room, alice, bob } = roomOfTwo()
    await room.handle(alice, create('s1'))
    bob.socket.clear()
    room.freezeBoard()
    expect(await room.handle(alice, create('s2', 'r2'))).toMatchObject({ ok: false, code: ErrorCode.UNAVAILABLE })
    expect(await room.handle(alice, { type: 'shape_delete', id: 's1' })).toMatchObject({ ok: false, code: ErrorCode.UNAVAILABLE })
    expect(await room.handle(alice, { type: 'cursor_move', x: 1, y: 1 })).toEqual({ ok: true })
    expect(bob.socket.messages.filter((m) => m.type.startsWith('shape_'))).toEqual([])
  })

  it('sends the board as it is now, and the pointers, in every snapshot', async () => {
    const { room, alice } = roomOfTwo()
    await room.handle(alice, create('s1'))
    await room.handle(alice, { type: 'cursor_move', x: 5, y: 6 })
    const late = fakeConnection('carol')
    room.join(late, 0)
    expect(late.socket.ofType('snapshot')[0]).toMatchObject({
      board: { version: 1, shapes: [{ ...rect('s1'), author: 'alice', version: 1 }] },
      cursors: [{ userId: 'alice', x: 5, y: 6 }],
    })
  })
})

describe('Room pointers', () => {
  it('sends at most one batch per interval, with each member’s latest position, to every member', async () => {
    vi.useFakeTimers()
    const { room, alice, bob } = roomOfTwo()
    for (let i = 0; i < 30; i++) {
      await room.handle(alice, { type: 'cursor_move', x: i, y: i })
      await room.handle(bob, { type: 'cursor_move', x: -i, y: -i })
    }
    // The first move goes out at once; the other 59 within the interval wait for its end, as one.
    vi.advanceTimersByTime(LIMITS.cursorIntervalMs)
    for (const member of [alice, bob]) {
      expect(member.socket.ofType('cursors')).toEqual([
        { type: 'cursors', moved: [{ userId: 'alice', x: 0, y: 0 }], gone: [] },
        { type: 'cursors', moved: [{ userId: 'bob', x: -29, y: -29 }, { userId: 'alice', x: 29, y: 29 }], gone: [] },
      ])
    }
    vi.advanceTimersByTime(LIMITS.cursorIntervalMs * 10)
    expect(alice.socket.ofType('cursors')).toHaveLength(2)
    room.close(CloseCode.SERVICE_RESTART)
  })

  it('skips a batch for a connection that is backing up, and never queues it', async () => {
    vi.useFakeTimers()
    const { room, alice, bob } = roomOfTwo()
    bob.socket.bufferedAmount = 100_000
    await room.handle(alice, { type: 'cursor_move', x: 1, y: 1 })
    expect(bob.socket.ofType('cursors')).toEqual([])
    bob.socket.bufferedAmount = 0
    vi.advanceTimersByTime(LIMITS.cursorIntervalMs)
    await room.handle(alice, { type: 'cursor_move', x: 2, y: 2 })
    expect(bob.socket.ofType('cursors')).toEqual([{ type: 'cursors', moved: [{ userId: 'alice', x: 2, y: 2 }], gone: [] }])
    room.close(CloseCode.SERVICE_RESTART)
  })

  it('takes a pointer away when its member leaves or it stays still for cursorIdleMs', async () => {
    vi.useFakeTimers()
    const { room, alice, bob } = roomOfTwo()
    const carol = fakeConnection('carol')
    room.join(carol)
    await room.handle(alice, { type: 'cursor_move', x: 1, y: 1 })
    await room.handle(carol, { type: 'cursor_move', x: 3, y: 3 })
    vi.advanceTimersByTime(LIMITS.cursorIntervalMs)
    room.leave(carol)
    vi.advanceTimersByTime(LIMITS.cursorIntervalMs)
    expect(bob.socket.ofType('cursors').at(-1)).toEqual({ type: 'cursors', moved: [], gone: ['carol'] })
    vi.advanceTimersByTime(LIMITS.cursorIdleMs + LIMITS.cursorIdleMs / 2)
    expect(bob.socket.ofType('cursors').at(-1)).toEqual({ type: 'cursors', moved: [], gone: ['alice'] })
    const late = fakeConnection('dave')
    room.join(late)
    expect(late.socket.ofType('snapshot')[0]?.cursors).toEqual([])
    room.close(CloseCode.SERVICE_RESTART)
  })
})

describe('Room board saving', () => {
  it('saves the whole board once, BOARD_SAVE_DELAY_MS after its first unsaved change, however many edits come meanwhile', async () => {
    vi.useFakeTimers()
    const backend = new FakeBackendApi()
    const { room, alice } = roomOfTwo(backend)
    await room.handle(alice, create('s1'))
    for (let i = 0; i < 20; i++) {
      vi.advanceTimersByTime(LIMITS.boardSaveDelayMs / 40)
      await room.handle(alice, { type: 'shape_update', id: 's1', version: 1 + i, changes: { x: i } })
    }
    expect(backend.boardSaves).toEqual([])
    await vi.advanceTimersByTimeAsync(LIMITS.boardSaveDelayMs / 2)
    expect(backend.boardSaves).toEqual([{ host: 'session-1:8000', epoch: backend.epoch, board: { version: 21, shapes: [expect.objectContaining({ id: 's1', x: 19 })], deleted: [] } }])
    await vi.advanceTimersByTimeAsync(LIMITS.boardSaveDelayMs * 5)
    expect(backend.boardSaves).toHaveLength(1)
    room.close(CloseCode.SERVICE_RESTART)
  })

  it('saves at once what is unsaved when flushed (unload, drain), and nothing when the board did not change', async () => {
    const backend = new FakeBackendApi()
    const { room, alice } = roomOfTwo(backend)
    await room.flushed()
    expect(backend.boardSaves).toEqual([])
    await room.handle(alice, create('s1'))
    await room.flushed()
    expect(backend.board).toMatchObject({ version: 1, shapes: [{ id: 's1' }] })
    expect(backend.boardSaves).toHaveLength(1)
    room.close(CloseCode.SERVICE_RESTART)
  })

  it('retries a save the backend could not take, and closes the room (ROOM_MOVED) when a save is fenced', async () => {
    const backend = new FakeBackendApi()
    const { room, alice, hooks } = roomOfTwo(backend)
    backend.boardFailures.push({ ok: false, reason: 'unavailable', detail: 'HTTP 503' })
    await room.handle(alice, create('s1'))
    await room.flushed()
    expect(backend.board.version).toBe(0)
    await room.flushed()
    expect(backend.board.version).toBe(1)

    backend.epoch++
    await room.handle(alice, create('s2'))
    await room.flushed()
    expect(alice.socket.closed?.code).toBe(CloseCode.ROOM_MOVED)
    expect(hooks.closed).toBe(1)
    expect(backend.board.version).toBe(1)
  })
})
