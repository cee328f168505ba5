import { startFakeHathora, type FakeHathora } from '@scalable-chat/backend-server/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROTOCOL_VERSION } from '@scalable-chat/protocol'
import { startStack, uniqueName, type Stack } from './helpers/stack.js'

let fake: FakeHathora
let stack: Stack
beforeAll(async () => {
  fake = await startFakeHathora()
  stack = await startStack({}, { hathora: fake })
})
afterAll(async () => {
  await stack.close()
  await fake.close()
})

describe('under Hathora (HathoraScheduler against a fake of the rooms API)', () => {
  it('accepts the room token the backend minted from connection info: both name the same host:port', async () => {
    const { roomId, users } = await stack.usersInRoom([uniqueName('ann'), uniqueName('bob')])
    expect(stack.config.PUBLIC_HOST).toBe(stack.host)
    expect(fake.room(roomId)?.host).toBe(stack.host)

    const [ann, bob] = users
    ann!.client.send({ type: 'send', clientId: 'c1', text: 'hello over hathora' })
    expect((await bob!.client.next('message')).message.text).toBe('hello over hathora')
  })

  it('serves a room Hathora destroyed again on the next join, with its history', async () => {
    const { roomId, users } = await stack.usersInRoom([uniqueName('cat')])
    const [cat] = users
    cat!.client.send({ type: 'send', clientId: 'c1', text: 'still here' })
    await cat!.client.next('message')
    cat!.client.terminate()

    fake.destroyRoom(roomId)
    const { token } = await stack.join(cat!.auth.token, roomId)
    expect(fake.createCalls(roomId)).toBe(2)
    const again = stack.connect({ token, v: PROTOCOL_VERSION })
    const snapshot = await again.next('snapshot')
    expect(snapshot.messages.map((m) => m.text)).toEqual(['still here'])
  })
})
