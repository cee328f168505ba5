/**
 * Leaving a room, end to end against the REAL servers: the backend takes the member out and tells
 * the session server, which closes their connections (LEFT_ROOM, a final state) and, when the
 * owner left, tells the others who owns the room now.
 */
import { startTestStack, type TestStack } from '@scalable-chat/session-server/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ApiError } from '../src/api/ApiError.js'
import { disposeConnections, isLive, openConnection, signedInApi, waitForState } from './helpers/connections.js'

let stack: TestStack

beforeAll(async () => {
  stack = await startTestStack()
})
afterAll(() => stack?.close())
afterEach(disposeConnections)

describe('leaving a room', () => {
  it('closes the member’s connections as “left”, the others see them go, and the link joins again', async () => {
    const ana = await signedInApi(stack.backend.url)
    const bo = await signedInApi(stack.backend.url)
    const { roomId } = await ana.api.createRoom('Leave')
    const a = openConnection(ana.api, roomId)
    const b = openConnection(bo.api, roomId)
    const bSecondTab = openConnection(bo.api, roomId)
    await Promise.all([a, b, bSecondTab].map((c) => waitForState(c, isLive)))
    await waitForState(a, (s) => s.members.length === 2)

    await bo.api.leaveRoom(roomId)
    for (const tab of [b, bSecondTab]) expect((await waitForState(tab, (s) => s.status.kind === 'closed')).status).toEqual({ kind: 'closed', reason: 'left' })
    await waitForState(a, (s) => s.members.length === 1)
    expect(await bo.api.listRooms()).toEqual([])

    const again = openConnection(bo.api, roomId)
    await waitForState(again, isLive)
    expect((await bo.api.listRooms()).map((r) => r.roomId)).toEqual([roomId])
  })

  it('when the owner leaves, the others are told who owns the room now; an owner alone cannot leave', async () => {
    const ana = await signedInApi(stack.backend.url)
    const bo = await signedInApi(stack.backend.url)
    const { roomId } = await ana.api.createRoom('Hand over')
    const refused = await ana.api.leaveRoom(roomId).catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(ApiError)
    expect((refused as ApiError).code).toBe('last_member')

    const a = openConnection(ana.api, roomId)
    const b = openConnection(bo.api, roomId)
    await Promise.all([waitForState(a, isLive), waitForState(b, isLive)])
    expect(b.getState().room?.ownerId).toBe(ana.userId)
    await ana.api.leaveRoom(roomId)
    await waitForState(b, (s) => s.room?.ownerId === bo.userId)
    expect((await waitForState(a, (s) => s.status.kind === 'closed')).status).toEqual({ kind: 'closed', reason: 'left' })
    // A reconnect is told the same: the session server holds the new owner.
    const b2 = openConnection(bo.api, roomId)
    expect((await waitForState(b2, isLive)).room?.ownerId).toBe(bo.userId)
  })
})
