import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { HistoryResponse } from '@scalable-chat/backend-contract'
import { ErrorCode, PROTOCOL_VERSION } from '@scalable-chat/protocol'
import { startStack, uniqueName, type Stack } from './helpers/stack.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(() => stack.close())

async function history(userToken: string, roomId: string): Promise<HistoryResponse> {
  const response = await fetch(`${stack.backend.url}/api/rooms/${roomId}/messages?limit=100`, {
    headers: { authorization: `Bearer ${userToken}` },
  })
  return (await response.json()) as HistoryResponse
}

describe('fan-out', () => {
  it('delivers every message to every member exactly once, in one order, with seqs 1..N without gaps', async () => {
    const { users } = await stack.usersInRoom([uniqueName('a'), uniqueName('b'), uniqueName('c')])
    const perSender = 4
    for (const [u, { client }] of users.entries()) {
      for (let i = 0; i < perSender; i++) client.send({ type: 'send', clientId: `u${u}-m${i}`, text: `from ${u}: ${i}` })
    }
    const total = users.length * perSender
    const views = await Promise.all(users.map(({ client }) => client.waitForCount('message', total)))
    for (const view of views) {
      expect(view.map((e) => e.message.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1))
      expect(view.map((e) => e.message.clientId)).toEqual(views[0]!.map((e) => e.message.clientId))
    }
    // Each sender's own messages keep the order it sent them in.
    for (let u = 0; u < users.length; u++) {
      const own = views[0]!.filter((e) => e.message.clientId.startsWith(`u${u}-`)).map((e) => e.message.clientId)
      expect(own).toEqual(Array.from({ length: perSender }, (_, i) => `u${u}-m${i}`))
    }
    // Later frames would show up here; a status round-trip proves the stream is settled.
    users[0]!.client.send({ type: 'status', status: 'away' })
    for (const { client } of users) {
      await client.next('status')
      expect(client.all('message')).toHaveLength(total)
    }
  })

  it('the acknowledgement to the sender is the stored message with its clientId', async () => {
    const { users } = await stack.usersInRoom([uniqueName()])
    const { client, auth } = users[0]!
    client.send({ type: 'send', clientId: 'ack-1', text: '  hello\u0007 ' })
    const { message } = await client.next('message')
    expect(message).toMatchObject({ seq: 1, clientId: 'ack-1', text: 'hello', userId: auth.user.id, username: auth.user.username })
    expect(new Date(message.createdAt).toString()).not.toBe('Invalid Date')
  })
})

describe('presence', () => {
  it('counts two tabs of one user as one member and sends user_left only after both close', async () => {
    const { roomId, users } = await stack.usersInRoom([uniqueName('watcher'), uniqueName('tabs')])
    const watcher = users[0]!.client
    const tabs = users[1]!
    await watcher.next('user_joined')
    const { token } = await stack.join(tabs.auth.token, roomId)
    const secondTab = stack.connect({ token, v: PROTOCOL_VERSION })
    expect((await secondTab.next('snapshot')).members).toHaveLength(2)

    tabs.client.ws.close()
    await tabs.client.closed
    // Round-trip through the room after the close so a wrong user_left would already be here.
    secondTab.send({ type: 'status', status: 'dnd' })
    await watcher.next('status')
    expect(watcher.all('user_left')).toEqual([])
    expect(watcher.all('user_joined')).toHaveLength(1)

    secondTab.ws.close()
    expect(await watcher.next('user_left')).toEqual({ type: 'user_left', userId: tabs.auth.user.id, lastSeenAt: expect.any(String) })
  })

  it('relays typing to the others and status to everyone', async () => {
    const { users } = await stack.usersInRoom([uniqueName(), uniqueName()])
    const [alice, bob] = users as [(typeof users)[0], (typeof users)[0]]
    alice.client.send({ type: 'typing', typing: true })
    expect(await bob.client.next('typing')).toEqual({
      type: 'typing',
      userId: alice.auth.user.id,
      username: alice.auth.user.username,
      typing: true,
    })
    alice.client.send({ type: 'status', status: 'away' })
    const event = { type: 'status', userId: alice.auth.user.id, status: 'away' }
    expect(await bob.client.next('status')).toEqual(event)
    expect(await alice.client.next('status')).toEqual(event)
    expect(alice.client.all('typing')).toEqual([])
  })
})

describe('idempotent sends and resume', () => {
  it('stores a message re-sent with the same clientId once, and acknowledges every re-send', async () => {
    const { roomId, users } = await stack.usersInRoom([uniqueName()])
    const { client, auth } = users[0]!
    client.send({ type: 'send', clientId: 'same', text: 'once' })
    client.send({ type: 'send', clientId: 'same', text: 'once' })
    const first = await client.next('message')
    client.send({ type: 'send', clientId: 'same', text: 'once' })
    const again = await client.next('message')
    expect(again.message).toEqual(first.message)

    // A new connection (as after a reconnect) re-sending it gets the original too.
    const { token } = await stack.join(auth.token, roomId)
    const reconnected = stack.connect({ token, v: PROTOCOL_VERSION, since: 1 })
    await reconnected.next('snapshot')
    reconnected.send({ type: 'send', clientId: 'same', text: 'once' })
    expect((await reconnected.next('message')).message).toEqual(first.message)

    const stored = await history(auth.token, roomId)
    expect(stored.messages.map((m) => m.clientId)).toEqual(['same'])
  })

  it('resumes with since: the snapshot holds exactly the missed messages', async () => {
    const { roomId, users } = await stack.usersInRoom([uniqueName(), uniqueName()])
    const [alice, bob] = users as [(typeof users)[0], (typeof users)[0]]
    alice.client.send({ type: 'send', clientId: 'm1', text: 'one' })
    await bob.client.next('message')
    bob.client.ws.close()
    await bob.client.closed
    for (const id of ['m2', 'm3', 'm4']) alice.client.send({ type: 'send', clientId: id, text: id })
    await alice.client.waitForCount('message', 4)

    const { token } = await stack.join(bob.auth.token, roomId)
    const resumed = await stack.connect({ token, v: PROTOCOL_VERSION, since: 1 }).next('snapshot')
    expect(resumed.resumed).toBe(true)
    expect(resumed.seq).toBe(4)
    expect(resumed.messages.map((m) => [m.seq, m.text])).toEqual([
      [2, 'm2'],
      [3, 'm3'],
      [4, 'm4'],
    ])
  })
})

describe('malformed frames', () => {
  it('answers bad JSON, binary, unknown types and wrong field types with error frames and keeps serving', async () => {
    const { users } = await stack.usersInRoom([uniqueName()])
    const { client } = users[0]!
    const cases: Array<[unknown, string]> = [
      ['{not json', ErrorCode.INVALID_JSON],
      [Buffer.from([1, 2, 3]), ErrorCode.BINARY_NOT_SUPPORTED],
      [{ type: 'shout', text: 'hi' }, ErrorCode.UNKNOWN_TYPE],
      [{ type: 'send', clientId: 'x1', text: 42 }, ErrorCode.INVALID_MESSAGE],
      [{ type: 'send', clientId: 'has space', text: 'hi' }, ErrorCode.INVALID_MESSAGE],
      [{ type: 'typing', typing: 'yes' }, ErrorCode.INVALID_MESSAGE],
      [{ type: 'status', status: 'invisible' }, ErrorCode.INVALID_MESSAGE],
      [[1, 2], ErrorCode.INVALID_MESSAGE],
      ['null', ErrorCode.INVALID_MESSAGE],
    ]
    for (const [frame, code] of cases) {
      if (Buffer.isBuffer(frame)) client.ws.send(frame, { binary: true })
      else client.send(frame)
      expect((await client.next('error')).code).toBe(code)
    }
    expect(client.all('error').find((e) => e.code === ErrorCode.INVALID_MESSAGE)?.clientId).toBe('x1')
    client.send({ type: 'send', clientId: 'ok', text: 'still here' })
    expect((await client.next('message')).message.text).toBe('still here')
  })
})

describe('full stack through the public API', () => {
  it('two registered users join through GET /api/rooms/:id, chat both ways, and the history API returns it', async () => {
    const alice = await stack.register(uniqueName('alice'))
    const bob = await stack.register(uniqueName('bob'))
    const roomId = await stack.createRoom(alice.token, 'Full stack')
    const aliceJoin = await stack.join(alice.token, roomId)
    const bobJoin = await stack.join(bob.token, roomId)
    expect(aliceJoin.host).toBe(stack.host)
    const aliceWs = stack.connect({ token: aliceJoin.token, v: PROTOCOL_VERSION })
    await aliceWs.next('snapshot')
    const bobWs = stack.connect({ token: bobJoin.token, v: PROTOCOL_VERSION })
    await bobWs.next('snapshot')

    aliceWs.send({ type: 'send', clientId: 'a-1', text: 'hi bob' })
    expect((await bobWs.next('message')).message.text).toBe('hi bob')
    bobWs.send({ type: 'send', clientId: 'b-1', text: 'hi alice' })
    expect((await aliceWs.next('message')).message.text).toBe('hi bob')
    expect((await aliceWs.next('message')).message.text).toBe('hi alice')

    const stored = await history(bob.token, roomId)
    expect(stored.messages.map((m) => [m.seq, m.username, m.text])).toEqual([
      [1, alice.user.username, 'hi bob'],
      [2, bob.user.username, 'hi alice'],
    ])
  })
})
