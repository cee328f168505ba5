/**
 * Edits, deletions and reactions end to end: real WebSockets, a real session server and the real
 * backend on PGlite. Who may change what, bad input, a resume that brings what was missed, and
 * the history in its current state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HistoryResponse } from '@scalable-chat/backend-contract'
import { ErrorCode, PROTOCOL_VERSION } from '@scalable-chat/protocol'
import { startStack, uniqueName, type Stack } from './helpers/stack.js'

let stack: Stack
beforeAll(async () => {
  // Edits, deletions and reactions share the sender's message allowance; these tests write faster than the default burst.
  stack = await startStack({ MESSAGE_BURST: '100' })
})
afterAll(() => stack.close())

async function history(userToken: string, roomId: string): Promise<HistoryResponse> {
  const response = await fetch(`${stack.backend.url}/api/rooms/${roomId}/messages`, { headers: { authorization: `Bearer ${userToken}` } })
  return (await response.json()) as HistoryResponse
}

/** Ana and Bo in a room, Ana's first message stored: its seq. */
async function twoInARoom() {
  const { roomId, users } = await stack.usersInRoom([uniqueName('ana'), uniqueName('bo')])
  const [ana, bo] = users as [(typeof users)[0], (typeof users)[0]]
  ana.client.send({ type: 'send', clientId: 'm1', text: 'helo' })
  const { message } = await bo.client.next('message')
  await ana.client.next('message')
  return { roomId, ana, bo, seq: message.seq }
}

describe('edit, delete, react', () => {
  it('the author edits: everyone gets the change with its own seq, the author as its acknowledgement', async () => {
    const { roomId, ana, bo, seq } = await twoInARoom()
    ana.client.send({ type: 'edit', clientId: 'e1', target: seq, text: '  hello\u0007 ' })
    const [toAna, toBo] = await Promise.all([ana.client.next('change'), bo.client.next('change')])
    expect(toBo).toEqual(toAna)
    expect(toAna.change).toMatchObject({ kind: 'edit', target: seq, seq: seq + 1, text: 'hello', clientId: 'e1', userId: ana.auth.user.id })
    const [message] = (await history(bo.auth.token, roomId)).messages
    expect(message).toMatchObject({ seq, text: 'hello', editedAt: toAna.change.createdAt })
  })

  it('refuses an edit or deletion by anyone but the author, and changes nothing', async () => {
    const { roomId, bo, seq } = await twoInARoom()
    bo.client.send({ type: 'edit', clientId: 'x1', target: seq, text: 'mine now' })
    expect(await bo.client.next('error')).toMatchObject({ code: ErrorCode.NOT_AUTHOR, clientId: 'x1' })
    bo.client.send({ type: 'delete', clientId: 'x2', target: seq })
    expect(await bo.client.next('error')).toMatchObject({ code: ErrorCode.NOT_AUTHOR, clientId: 'x2' })
    bo.client.send({ type: 'edit', clientId: 'x3', target: seq + 5, text: 'nothing there' })
    expect(await bo.client.next('error')).toMatchObject({ code: ErrorCode.MESSAGE_NOT_FOUND, clientId: 'x3' })
    expect(bo.client.all('change')).toEqual([])
    expect((await history(bo.auth.token, roomId)).messages.map((m) => m.text)).toEqual(['helo'])
  })

  it('refuses malformed changes with invalid_message, keeping the connection', async () => {
    const { ana, seq } = await twoInARoom()
    const bad = [
      { type: 'react', clientId: 'b1', target: seq, emoji: 'yes', on: true },
      { type: 'react', clientId: 'b2', target: seq, emoji: '👍👍', on: true },
      { type: 'react', clientId: 'b3', target: seq, emoji: '👍' },
      { type: 'edit', clientId: 'b4', target: 0, text: 'x' },
      { type: 'delete', clientId: 'b5', target: 'one' },
    ]
    for (const frame of bad) {
      ana.client.send(frame)
      expect(await ana.client.next('error'), JSON.stringify(frame)).toMatchObject({ code: ErrorCode.INVALID_MESSAGE })
    }
    ana.client.send({ type: 'edit', clientId: 'b6', target: seq, text: '   ' })
    expect(await ana.client.next('error')).toMatchObject({ code: ErrorCode.EMPTY_MESSAGE, clientId: 'b6' })
    ana.client.send({ type: 'react', clientId: 'ok', target: seq, emoji: '👍🏽', on: true })
    expect((await ana.client.next('change')).change).toMatchObject({ kind: 'react', emoji: '👍🏽', on: true })
  })

  it('a deletion keeps the place without the text, and the message takes no more changes', async () => {
    const { roomId, ana, bo, seq } = await twoInARoom()
    bo.client.send({ type: 'react', clientId: 'r1', target: seq, emoji: '🎉', on: true })
    await ana.client.next('change')
    ana.client.send({ type: 'delete', clientId: 'd1', target: seq })
    expect((await bo.client.next('change')).change).toMatchObject({ kind: 'react' })
    expect((await bo.client.next('change')).change).toMatchObject({ kind: 'delete', target: seq })
    bo.client.send({ type: 'react', clientId: 'r2', target: seq, emoji: '👍', on: true })
    expect(await bo.client.next('error')).toMatchObject({ code: ErrorCode.MESSAGE_DELETED, clientId: 'r2' })
    const [message] = (await history(bo.auth.token, roomId)).messages
    expect(message).toEqual(expect.objectContaining({ seq, text: '', deleted: true }))
    expect(message?.reactions).toBeUndefined()
  })

  it('reactions: on and off per person, and a re-sent reaction is answered with the original to its sender alone', async () => {
    const { roomId, ana, bo, seq } = await twoInARoom()
    bo.client.send({ type: 'react', clientId: 'r1', target: seq, emoji: '👍', on: true })
    const first = await ana.client.next('change')
    await bo.client.next('change')
    bo.client.send({ type: 'react', clientId: 'r1', target: seq, emoji: '👍', on: true })
    expect(await bo.client.next('change')).toEqual(first)
    ana.client.send({ type: 'react', clientId: 'r2', target: seq, emoji: '👍', on: true })
    await bo.client.next('change')
    expect((await history(ana.auth.token, roomId)).messages[0]?.reactions).toEqual([{ emoji: '👍', userIds: [bo.auth.user.id, ana.auth.user.id] }])
    bo.client.send({ type: 'react', clientId: 'r3', target: seq, emoji: '👍', on: false })
    await bo.client.next('change')
    expect((await history(ana.auth.token, roomId)).messages[0]?.reactions).toEqual([{ emoji: '👍', userIds: [ana.auth.user.id] }])
    // Ana saw exactly one change per new reaction: the re-send was not broadcast.
    expect(ana.client.all('change').map((c) => c.change.clientId)).toEqual(['r1', 'r2', 'r3'])
  })

  it('a client resuming with since gets the edits, deletions and reactions it missed', async () => {
    const { roomId, ana, bo, seq } = await twoInARoom()
    ana.client.send({ type: 'send', clientId: 'm2', text: 'second' })
    const second = (await bo.client.next('message')).message.seq
    const since = second
    bo.client.terminate()
    ana.client.send({ type: 'edit', clientId: 'e1', target: seq, text: 'hello' })
    ana.client.send({ type: 'react', clientId: 'r1', target: second, emoji: '❤️', on: true })
    ana.client.send({ type: 'delete', clientId: 'd1', target: second })
    ana.client.send({ type: 'send', clientId: 'm3', text: 'third' })
    await ana.client.waitForCount('change', 3)
    await ana.client.waitForCount('message', 3)
    const { token } = await stack.join(bo.auth.token, roomId)
    const back = stack.connect({ token, v: PROTOCOL_VERSION, since })
    const snapshot = await back.next('snapshot')
    expect(snapshot.resumed).toBe(true)
    expect(snapshot.changes.map((c) => [c.kind, c.target])).toEqual([
      ['edit', seq],
      ['react', second],
      ['delete', second],
    ])
    expect(snapshot.messages.map((m) => m.text)).toEqual(['third'])
    expect(snapshot.seq).toBe(snapshot.messages[0]!.seq)
    // Joining afresh: the latest page as it is now, no changes to apply.
    const fresh = stack.connect({ token: (await stack.join(bo.auth.token, roomId)).token, v: PROTOCOL_VERSION })
    const page = await fresh.next('snapshot')
    expect(page.resumed).toBe(false)
    expect(page.changes).toEqual([])
    expect(page.messages.map((m) => [m.text, m.deleted ?? false])).toEqual([
      ['hello', false],
      ['', true],
      ['third', false],
    ])
  })
})
