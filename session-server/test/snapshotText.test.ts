/**
 * The snapshot is put together from text the room keeps (members, offline list, latest messages,
 * board): every snapshot must still be the room as it is at that moment, and valid protocol.
 */
import { describe, expect, it, vi } from 'vitest'
import { ROOM_LOAD_MEMBERS } from '@scalable-chat/backend-contract/internal'
import { ServerMessage, type SnapshotEvent } from '@scalable-chat/protocol'
import { jsonArray, jsonObject, jsonText } from '../src/room/JsonText.js'
import { FakeBackendApi } from './helpers/FakeBackendApi.js'
import { fakeConnection } from './helpers/fakeSocket.js'
import { makeRoom, roomOfTwo, send } from './helpers/makeRoom.js'

/** A new tab of `userId` joins and its snapshot is returned, checked against the protocol. */
function snapshotOf(room: ReturnType<typeof makeRoom>['room'], userId = 'alice'): SnapshotEvent {
  const tab = fakeConnection(userId)
  room.join(tab)
  const parsed = ServerMessage.parse(JSON.parse(tab.socket.raw[0]!))
  if (parsed.type !== 'snapshot') throw new Error(`expected a snapshot, got ${parsed.type}`)
  room.leave(tab)
  return parsed
}

describe('JSON text from parts', () => {
  it('is the text JSON.stringify makes of the whole', () => {
    const odd = { text: 'quote " backslash \\ newline \n emoji 👍 \u2028', n: -1.5e-7, nothing: null }
    expect(jsonText(odd)).toBe(JSON.stringify(odd))
    expect(jsonArray([])).toBe('[]')
    expect(jsonArray([jsonText(odd), jsonText(odd)])).toBe(JSON.stringify([odd, odd]))
    const whole = { 'a "key"': [1, 2], b: odd, c: [] as number[] }
    expect(jsonObject<typeof whole>({ 'a "key"': jsonText([1, 2]), b: jsonText(odd), c: jsonArray<number>([]) })).toBe(JSON.stringify(whole))
  })
})

describe('Room snapshots from kept text', () => {
  it('show every change made since the last snapshot: status, owner, messages, board, members coming and going', async () => {
    const { room, alice, bob } = roomOfTwo()
    expect(snapshotOf(room).members).toEqual([
      { userId: 'alice', username: 'alice', status: 'online' },
      { userId: 'bob', username: 'bob', status: 'online' },
    ])

    await room.handle(bob, { type: 'status', status: 'away' })
    expect(snapshotOf(room).members[1]).toEqual({ userId: 'bob', username: 'bob', status: 'away' })

    expect(await room.handle(alice, send('m1', 'first'))).toEqual({ ok: true })
    await vi.waitFor(() => expect(bob.socket.ofType('message')).toHaveLength(1))
    expect(snapshotOf(room).messages.map((m) => m.text)).toEqual(['first'])
    const [first] = snapshotOf(room).messages
    await room.handle(alice, { type: 'edit', clientId: 'e1', target: first!.seq, text: 'edited' })
    await vi.waitFor(() => expect(bob.socket.ofType('change')).toHaveLength(1))
    expect(snapshotOf(room).messages.map((m) => m.text)).toEqual(['edited'])

    const shape = { id: 's1', type: 'rectangle', x: 1, y: 2, width: 30, height: 40, color: '#1e40af', strokeWidth: 2 } as const
    await room.handle(alice, { type: 'shape_create', shape })
    expect(snapshotOf(room).board).toMatchObject({ version: 1, shapes: [{ id: 's1', x: 1 }] })
    await room.handle(bob, { type: 'shape_update', id: 's1', version: 1, changes: { x: 50 } })
    expect(snapshotOf(room).board).toMatchObject({ version: 2, shapes: [{ id: 's1', x: 50 }] })

    room.leave(bob)
    const afterLeaving = snapshotOf(room)
    expect(afterLeaving.members.map((m) => m.userId)).toEqual(['alice'])
    expect(afterLeaving.offline.map((m) => m.userId)).toEqual(['bob'])
    room.memberLeft('alice', 'carol')
    expect(snapshotOf(room, 'carol')).toMatchObject({ room: { ownerId: 'carol' }, offline: [{ userId: 'bob' }] })
  })

  it('keep the offline list bounded: past ROOM_LOAD_MEMBERS the longest unseen go, the newest stay first', () => {
    const backend = new FakeBackendApi()
    backend.members = Array.from({ length: ROOM_LOAD_MEMBERS + 5 }, (_, i) => ({
      userId: `u${i}`,
      username: `u${i}`,
      // u0 was seen most recently; the last five were never seen.
      lastSeenAt: i < ROOM_LOAD_MEMBERS ? new Date(Date.UTC(2026, 0, 1) - i * 60_000).toISOString() : null,
    }))
    const { room } = makeRoom(backend, { maxUsers: 10 })
    // Stays connected: a viewer who left would be listed offline too.
    const viewer = () => {
      const tab = fakeConnection('viewer')
      room.join(tab)
      return (tab.socket.ofType('snapshot')[0] as SnapshotEvent).offline
    }
    const loaded = viewer()
    expect(loaded).toHaveLength(ROOM_LOAD_MEMBERS)
    expect(loaded.map((m) => m.userId).slice(0, 3)).toEqual(['u0', 'u1', 'u2'])
    expect(loaded.some((m) => m.lastSeenAt === null)).toBe(false)

    const u5 = fakeConnection('u5')
    room.join(u5)
    room.leave(u5)
    const newcomer = fakeConnection('newcomer')
    room.join(newcomer)
    room.leave(newcomer)
    const after = viewer()
    expect(after).toHaveLength(ROOM_LOAD_MEMBERS)
    expect(after.map((m) => m.userId).slice(0, 3)).toEqual(['newcomer', 'u5', 'u0'])
    expect(after.map((m) => m.userId)).not.toContain(`u${ROOM_LOAD_MEMBERS - 1}`)
  })
})
