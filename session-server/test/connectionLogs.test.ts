/**
 * What a connection logs, and with which ids: a connection makes its child logger only when it
 * writes a line (see ClientSession), so the ids must still be on every line it writes.
 */
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CloseCode } from '@scalable-chat/protocol'
import { MAX_STRIKES } from '../src/connection/StrikeCounter.js'
import { startStack, uniqueName, type Stack } from './helpers/stack.js'

const lines: Array<Record<string, unknown>> = []
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>)
    done()
  },
})

let stack: Stack
beforeAll(async () => {
  stack = await startStack({ FRAMES_PER_SECOND: '100000' }, { logger: pino({ level: 'info' }, sink) })
})
afterAll(() => stack.close())

describe('connection logs', () => {
  it('"connection accepted" carries the request id, room and user; a strike-out line carries the connection id too', async () => {
    const { roomId, users } = await stack.usersInRoom([uniqueName()])
    const { client, auth } = users[0]!
    const accepted = lines.find((l) => l.msg === 'connection accepted' && l.userId === auth.user.id)
    expect(accepted).toMatchObject({ roomId, userId: auth.user.id, reqId: expect.any(String) })

    for (let i = 0; i < MAX_STRIKES; i++) client.send('not json')
    expect((await client.closed).code).toBe(CloseCode.POLICY_VIOLATION)
    const struckOut = lines.find((l) => l.msg === 'too many refused frames; closing' && l.userId === auth.user.id)
    expect(struckOut).toMatchObject({ roomId, reqId: accepted!.reqId, connectionId: expect.any(String), reason: 'invalid_json' })
  })

  it('does NOT log the debug lines of a connection at the info level', async () => {
    const { users } = await stack.usersInRoom([uniqueName()])
    const { auth } = users[0]!
    expect(lines.filter((l) => l.userId === auth.user.id && (l.msg === 'joined' || l.msg === 'closed'))).toEqual([])
  })
})
