/**
 * ChatConnection against the REAL servers: a backend (PGlite in memory) and a session server,
 * both on 127.0.0.1 port 0, and real WebSockets. Reconnects and re-sends: reconnect.test.ts.
 */
import { startTestStack, type TestStack } from '@scalable-chat/session-server/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ChatState } from '../src/room/connection/ChatConnection.js'
import { disposeConnections, isLive, openConnection, signedInApi, waitForState } from './helpers/connections.js'

let stack: TestStack

beforeAll(async () => {
  stack = await startTestStack({
    // Every test opens its own room and rooms stay loaded for a grace period: more than the default 10.
    backend: { overrides: { maxRoomsPerServer: 1000 } },
    // The history test writes 105 messages in one go.
    sessionEnv: { MESSAGE_RATE_PER_MINUTE: '10000', MESSAGE_BURST: '1000', FRAMES_PER_SECOND: '10000' },
  })
})

afterAll(() => stack?.close())
afterEach(disposeConnections)

const seqs = (state: ChatState) => state.messages.map((m) => m.seq)

describe('ChatConnection (real backend and session server)', () => {
  it('connects through the backend and receives the snapshot', async () => {
    const { api, userId } = await signedInApi(stack.backend.url)
    const { roomId } = await api.createRoom('Snapshot room')
    const connection = openConnection(api, roomId)

    const state = await waitForState(connection, isLive)
    expect(state.room).toMatchObject({ id: roomId, name: 'Snapshot room', ownerId: userId })
    expect(state.you?.userId).toBe(userId)
    expect(state.members.map((m) => m.userId)).toContain(userId)
    expect(state.messages).toEqual([])
    expect(state.limits.maxMessageLength).toBeGreaterThan(0)
  })

  it('shows a sent message as pending at once, then replaces it with the stored one on the ack', async () => {
    const { api, userId } = await signedInApi(stack.backend.url)
    const { roomId } = await api.createRoom('Send room')
    const connection = openConnection(api, roomId)
    await waitForState(connection, isLive)

    const clientId = connection.send('  hello world  ')
    expect(connection.getState().pending).toEqual([expect.objectContaining({ clientId, text: 'hello world', state: 'sending' })])

    const state = await waitForState(connection, (s) => s.messages.length === 1 && s.pending.length === 0)
    expect(state.messages[0]).toMatchObject({ seq: 1, clientId, userId, text: 'hello world' })
  })

  it('delivers messages to the other members, and announces them as incoming', async () => {
    const ana = await signedInApi(stack.backend.url)
    const bo = await signedInApi(stack.backend.url)
    const { roomId } = await ana.api.createRoom('Two people')
    const anaConnection = openConnection(ana.api, roomId)
    const boConnection = openConnection(bo.api, roomId)
    await waitForState(anaConnection, isLive)
    await waitForState(boConnection, isLive)

    boConnection.send('hi Ana')
    const state = await waitForState(anaConnection, (s) => s.messages.length === 1)
    expect(state.lastIncoming).toMatchObject({ text: 'hi Ana', userId: bo.userId })
  })

  it('loads older history before the first message held, and knows where the conversation begins', async () => {
    const { api } = await signedInApi(stack.backend.url)
    const { roomId } = await api.createRoom('Long history')
    const writer = openConnection(api, roomId)
    await waitForState(writer, isLive)
    for (let i = 1; i <= 105; i++) writer.send(`message ${i}`)
    await waitForState(writer, (s) => s.messages.length === 105)
    writer.dispose()

    const reader = openConnection(api, roomId)
    const first = await waitForState(reader, isLive)
    expect(first.messages.length).toBeLessThan(105)
    expect(first.history.hasMore).toBe(true)

    while (reader.getState().history.hasMore) await reader.loadOlder()
    const state = reader.getState()
    expect(seqs(state)).toEqual(Array.from({ length: 105 }, (_, i) => i + 1))
  }, 30_000) // 105 real commits: generous on a loaded 2-core machine

  it('closes for good, without reconnecting, when the room is deleted', async () => {
    const { api } = await signedInApi(stack.backend.url)
    const { roomId } = await api.createRoom('Doomed')
    const connection = openConnection(api, roomId)
    await waitForState(connection, isLive)

    await api.deleteRoom(roomId)
    const state = await waitForState(connection, (s) => s.status.kind === 'closed')
    expect(state.status).toEqual({ kind: 'closed', reason: 'deleted' })
  })

  it('closes with "not found" for a room that does not exist', async () => {
    const { api } = await signedInApi(stack.backend.url)
    const connection = openConnection(api, 'NoSuchRoom12')
    const state = await waitForState(connection, (s) => s.status.kind === 'closed')
    expect(state.status).toEqual({ kind: 'closed', reason: 'not_found' })
  })
})
