import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROTOCOL_VERSION } from '@scalable-chat/protocol'
import { startStack, uniqueName, type Stack } from './helpers/stack.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack({
    // A round's broadcast (25 × 10 kB) must fit, or the writer itself would be too slow.
    MAX_BUFFERED_BYTES: '1048576',
    MAX_MESSAGE_LENGTH: '10000',
    MESSAGE_RATE_PER_MINUTE: '1000000',
    MESSAGE_BURST: '100000',
    FRAMES_PER_SECOND: '100000',
  })
})
afterAll(() => stack.close())

/** Messages per round: the writer waits for their acknowledgements before the next round. */
const ROUND = 25
/** A safety stop: loopback socket buffers hold a few MB, far less than this many 10 kB messages. */
const MAX_MESSAGES = 5000

describe('backpressure', () => {
  it('drops a member that stops reading once its send buffer passes MAX_BUFFERED_BYTES, and it can resume with since', async () => {
    const { roomId, users } = await stack.usersInRoom([uniqueName('writer'), uniqueName('sleeper')])
    const writer = users[0]!.client
    const sleeper = users[1]!
    // The sleeper's process stops reading: the kernel buffers fill, then the server's.
    sleeper.client.ws.pause()

    const text = 'x'.repeat(10_000)
    const left = () => writer.all('user_left').some((event) => event.userId === sleeper.auth.user.id)
    let sent = 0
    while (!left() && sent < MAX_MESSAGES) {
      for (let i = 0; i < ROUND; i++) writer.send({ type: 'send', clientId: `m${sent++}`, text })
      await writer.waitForCount('message', sent)
    }
    expect(left()).toBe(true)
    // It left the room, so nothing more is queued for it: the server holds at most the limit for it.
    expect(stack.session.rooms.get(roomId)?.memberCount).toBe(1)

    // Later it comes back and asks for what it missed since the last 10.
    const { token } = await stack.join(sleeper.auth.token, roomId)
    const back = stack.connect({ token, v: PROTOCOL_VERSION, since: sent - 10 })
    const snapshot = await back.next('snapshot')
    expect(snapshot.resumed).toBe(true)
    expect(snapshot.messages.map((m) => m.seq)).toEqual(Array.from({ length: 10 }, (_, i) => sent - 9 + i))
  }, 60_000)
})
