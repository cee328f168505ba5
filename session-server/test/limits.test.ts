import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CloseCode, ErrorCode, PROTOCOL_VERSION } from '@scalable-chat/protocol'
import { MAX_STRIKES } from '../src/connection/StrikeCounter.js'
import { startStack, uniqueName, type Stack } from './helpers/stack.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack({
    MAX_MESSAGE_LENGTH: '50',
    MAX_USERS_PER_ROOM: '2',
    MAX_PAYLOAD_BYTES: '1024',
    MESSAGE_BURST: '3',
  })
})
afterAll(() => stack.close())

describe('limits', () => {
  it('refuses an empty message and one over MAX_MESSAGE_LENGTH with their clientId, storing nothing', async () => {
    const { users } = await stack.usersInRoom([uniqueName()])
    const { client } = users[0]!
    client.send({ type: 'send', clientId: 'empty', text: ' \n\t ' })
    expect(await client.next('error')).toMatchObject({ code: ErrorCode.EMPTY_MESSAGE, clientId: 'empty' })
    client.send({ type: 'send', clientId: 'long', text: 'x'.repeat(51) })
    expect(await client.next('error')).toMatchObject({ code: ErrorCode.MESSAGE_TOO_LONG, clientId: 'long' })
    client.send({ type: 'send', clientId: 'fits', text: 'x'.repeat(50) })
    expect((await client.next('message')).message.seq).toBe(1)
  })

  it('rate-limits a burst with rate_limited errors, and does NOT close a client for them (they are not strikes)', async () => {
    const { users } = await stack.usersInRoom([uniqueName()])
    const { client } = users[0]!
    for (let i = 0; i < 4; i++) client.send({ type: 'send', clientId: `r${i}`, text: `burst ${i}` })
    expect(await client.next('error')).toMatchObject({ code: ErrorCode.RATE_LIMITED, clientId: 'r3' })
    expect((await client.waitForCount('message', 3)).map((m) => m.message.clientId)).toEqual(['r0', 'r1', 'r2'])

    // More refusals than the strike limit, then a frame that is answered: the socket is still open.
    for (let i = 4; i < 4 + MAX_STRIKES; i++) client.send({ type: 'send', clientId: `r${i}`, text: 'flood' })
    client.send({ type: 'status', status: 'away' })
    expect(await client.next('status')).toMatchObject({ status: 'away' })
    expect(client.all('error').map((e) => e.code)).toEqual(Array(1 + MAX_STRIKES).fill(ErrorCode.RATE_LIMITED))
    expect(client.all('message')).toHaveLength(3)
  })

  it('does NOT charge re-sends of pending or stored messages against the burst', async () => {
    const { users } = await stack.usersInRoom([uniqueName()])
    const { client } = users[0]!
    client.send({ type: 'send', clientId: 'k0', text: 'zero' })
    client.send({ type: 'send', clientId: 'k1', text: 'one' })
    await client.waitForCount('message', 2)
    // Re-sends after a reconnect: answered with the stored originals, free of charge.
    for (let i = 0; i < 3; i++) {
      client.send({ type: 'send', clientId: 'k0', text: 'zero' })
      client.send({ type: 'send', clientId: 'k1', text: 'one' })
    }
    client.send({ type: 'send', clientId: 'k2', text: 'two' })
    const messages = await client.waitForCount('message', 9)
    expect(messages.map((m) => m.message.clientId)).toEqual(['k0', 'k1', 'k0', 'k1', 'k0', 'k1', 'k0', 'k1', 'k2'])
    expect(messages.at(-1)?.message.seq).toBe(3)
    expect(client.all('error')).toEqual([])
  })

  it('closes a repeated sender of bad frames with 1008', async () => {
    const { users } = await stack.usersInRoom([uniqueName()])
    const { client } = users[0]!
    for (let i = 0; i < MAX_STRIKES; i++) client.send('garbage')
    expect((await client.closed).code).toBe(CloseCode.POLICY_VIOLATION)
    expect(client.all('error')).toHaveLength(MAX_STRIKES)
  })

  it('refuses a user beyond MAX_USERS_PER_ROOM with room_full then ROOM_FULL, and still admits another tab of a member', async () => {
    const { roomId, users } = await stack.usersInRoom([uniqueName(), uniqueName()])
    const third = await stack.register(uniqueName())
    const { token } = await stack.join(third.token, roomId)
    const refused = stack.connect({ token, v: PROTOCOL_VERSION })
    expect(await refused.next('error')).toMatchObject({ code: ErrorCode.ROOM_FULL })
    expect((await refused.closed).code).toBe(CloseCode.ROOM_FULL)
    expect(refused.all('snapshot')).toEqual([])

    const secondTab = stack.connect({ token: (await stack.join(users[1]!.auth.token, roomId)).token, v: PROTOCOL_VERSION })
    expect((await secondTab.next('snapshot')).members).toHaveLength(2)
    expect(users[0]!.client.all('user_joined')).toHaveLength(1)
  })

  it('closes a connection that sends a frame over MAX_PAYLOAD_BYTES with 1009', async () => {
    const { users } = await stack.usersInRoom([uniqueName()])
    const { client } = users[0]!
    client.send({ type: 'send', clientId: 'big', text: 'x'.repeat(2000) })
    expect((await client.closed).code).toBe(1009)
  })

})

// Its own stack: a ping interval short enough for a test would make every other test here depend
// on this process's event loop answering pings within it, which a busy machine does not promise.
describe('heartbeat', () => {
  let pinging: Stack
  beforeAll(async () => {
    pinging = await startStack({ PING_INTERVAL_MS: '500' })
  })
  afterAll(() => pinging.close())

  it('terminates a connection that does not answer pings, and its member leaves the room', async () => {
    const { roomId, users } = await pinging.usersInRoom([uniqueName('alive')])
    const silent = await pinging.register(uniqueName('silent'))
    const { token } = await pinging.join(silent.token, roomId)
    const client = pinging.connect({ token, v: PROTOCOL_VERSION }, { autoPong: false })
    await client.next('snapshot')
    expect((await client.closed).code).toBe(1006)
    expect(await users[0]!.client.next('user_left')).toEqual({ type: 'user_left', userId: silent.user.id, lastSeenAt: expect.any(String) })
    expect(users[0]!.client.ws.readyState).toBe(users[0]!.client.ws.OPEN)
  })
})
