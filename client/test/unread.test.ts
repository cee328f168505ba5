/**
 * Unread across tabs, end to end against the REAL servers: one user in a room on two connections
 * (two tabs, or two devices); what one reads the other is told at once, and the lobby's list
 * (GET /api/rooms) counts from there once the user's last connection to the room has closed.
 */
import { startTestStack, type TestStack } from '@scalable-chat/session-server/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { disposeConnections, isLive, openConnection, signedInApi, waitForState } from './helpers/connections.js'

let stack: TestStack

beforeAll(async () => {
  stack = await startTestStack()
})
afterAll(() => stack?.close())
afterEach(disposeConnections)

describe('unread across two tabs', () => {
  it('counts what others wrote, with mentions; a read on one tab clears the other at once, and the lobby then shows 0', async () => {
    const ana = await signedInApi(stack.backend.url)
    const bo = await signedInApi(stack.backend.url)
    const { roomId } = await ana.api.createRoom('Unread')
    const b = openConnection(bo.api, roomId)
    await waitForState(b, isLive)
    b.send('hello')
    b.send(`are you there @${ana.username}?`)
    b.send('ok, later')
    await waitForState(b, (s) => s.messages.length === 3)
    const listed = async () => (await ana.api.listRooms()).find((room) => room.roomId === roomId)!
    expect(await listed()).toMatchObject({ unread: 3, mentions: 1, lastMessage: { seq: 3, username: bo.username, text: 'ok, later' } })

    const tab1 = openConnection(ana.api, roomId)
    const tab2 = openConnection(ana.api, roomId)
    const [opened1, opened2] = await Promise.all([waitForState(tab1, isLive), waitForState(tab2, isLive)])
    // Both tabs open where the unread part starts.
    expect([opened1.unreadAfter, opened2.unreadAfter]).toEqual([0, 0])

    expect(tab1.markRead(3)).toBe(true)
    const told = await waitForState(tab2, (s) => s.readSeq === 3)
    // What was read on the other tab is not new here either.
    expect(told.unreadAfter).toBe(3)
    expect(tab2.markRead(3)).toBe(false)

    tab1.dispose()
    tab2.dispose()
    // The session server stores the position when the user's last connection closes.
    await vi.waitFor(async () => expect(await listed()).toMatchObject({ unread: 0, mentions: 0 }), { timeout: 5_000, interval: 50 })

    // A new tab opens with nothing unread, and a new message is unread again.
    const tab3 = openConnection(ana.api, roomId)
    expect((await waitForState(tab3, isLive)).unreadAfter).toBe(3)
    b.send('one more')
    await waitForState(tab3, (s) => s.messages.length === 4)
    tab3.dispose()
    expect(await listed()).toMatchObject({ unread: 1, mentions: 0 })
  })
})
