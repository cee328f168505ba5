import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TokenAudience } from '@scalable-chat/backend-contract/internal'
import { CloseCode, PROTOCOL_VERSION } from '@scalable-chat/protocol'
import { BURST_WINDOW_MS } from '../src/connection/SendRateLimiter.js'
import { forgerKey, signRoomToken, TEST_KEY_ID, TEST_ROOM_TOKEN_PUBLIC_KEY, unsigned } from './helpers/roomTokens.js'
import { startStack, uniqueName, type Stack } from './helpers/stack.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack()
})
afterAll(() => stack.close())

const roomToken = signRoomToken

async function validClaims() {
  const auth = await stack.register(uniqueName())
  const roomId = await stack.createRoom(auth.token)
  return { auth, roomId, claims: { sub: auth.user.id, username: auth.user.username, roomId, host: stack.host, epoch: 1 } }
}

describe('upgrade refused with HTTP 401 before any WebSocket opens', () => {
  it('refuses a missing token', async () => {
    expect(await stack.connect({ v: PROTOCOL_VERSION }).rejected).toBe(401)
  })

  it('refuses a garbage token', async () => {
    expect(await stack.connect({ token: 'not.a.jwt', v: PROTOCOL_VERSION }).rejected).toBe(401)
  })

  it('refuses a token signed with another key, under its own kid or under the backend\'s', async () => {
    const { claims } = await validClaims()
    const key = forgerKey()
    for (const token of [await roomToken(claims, { key }), await roomToken(claims, { key, kid: TEST_KEY_ID })]) {
      expect(await stack.connect({ token, v: PROTOCOL_VERSION }).rejected).toBe(401)
    }
  })

  it('refuses alg confusion (HS256 with the public key as the secret) and alg none: only ES256 verifies', async () => {
    const { auth, roomId, claims } = await validClaims()
    await stack.join(auth.token, roomId)
    const confused = await roomToken(claims, { hmacSecret: TEST_ROOM_TOKEN_PUBLIC_KEY })
    expect(await stack.connect({ token: confused, v: PROTOCOL_VERSION }).rejected).toBe(401)
    const none = unsigned(await roomToken(claims))
    expect(await stack.connect({ token: none, v: PROTOCOL_VERSION }).rejected).toBe(401)
    // The same claims, properly signed, are accepted: the refusals were about the signature.
    const valid = stack.connect({ token: await roomToken(claims), v: PROTOCOL_VERSION })
    await valid.next('snapshot')
  })

  it('refuses an expired token', async () => {
    const { claims } = await validClaims()
    const token = await roomToken(claims, { expiresAt: Math.floor(Date.now() / 1000) - 60 })
    expect(await stack.connect({ token, v: PROTOCOL_VERSION }).rejected).toBe(401)
  })

  it('refuses a room token minted for another session server host', async () => {
    const { claims } = await validClaims()
    const token = await roomToken({ ...claims, host: 'elsewhere:8000' })
    expect(await stack.connect({ token, v: PROTOCOL_VERSION }).rejected).toBe(401)
  })

  it('refuses a user token (wrong audience)', async () => {
    const { auth } = await validClaims()
    expect(await stack.connect({ token: auth.token, v: PROTOCOL_VERSION }).rejected).toBe(401)
  })

  it('refuses a token whose claims lack the room', async () => {
    const { claims } = await validClaims()
    const token = await roomToken({ ...claims, roomId: undefined })
    expect(await stack.connect({ token, v: PROTOCOL_VERSION }).rejected).toBe(401)
  })

  it('refuses an invalid since with HTTP 400', async () => {
    const { auth, roomId } = await validClaims()
    const { token } = await stack.join(auth.token, roomId)
    for (const since of ['-1', 'abc', '1.5']) {
      expect(await stack.connect({ token, v: PROTOCOL_VERSION, since }).rejected).toBe(400)
    }
  })
})

describe('accepted upgrades', () => {
  it('closes a connection with another protocol version with PROTOCOL_MISMATCH', async () => {
    const { auth, roomId } = await validClaims()
    const { token } = await stack.join(auth.token, roomId)
    for (const params of [{ token, v: PROTOCOL_VERSION + 1 }, { token }] as Array<Record<string, string | number>>) {
      const client = stack.connect(params)
      await client.opened
      expect((await client.closed).code).toBe(CloseCode.PROTOCOL_MISMATCH)
      expect(client.received).toEqual([])
    }
  })

  it('sends the snapshot first: room, you, members with status, messages, board, cursors, seq, protocol, limits', async () => {
    const { auth, roomId } = await validClaims()
    const { token, name } = await stack.join(auth.token, roomId)
    const client = stack.connect({ token, v: PROTOCOL_VERSION })
    const snapshot = await client.next('snapshot')
    expect(client.received[0]).toBe(snapshot)
    expect(snapshot).toEqual({
      type: 'snapshot',
      protocol: PROTOCOL_VERSION,
      room: { id: roomId, name, ownerId: auth.user.id },
      you: { userId: auth.user.id, username: auth.user.username, readSeq: 0 },
      members: [{ userId: auth.user.id, username: auth.user.username, status: 'online' }],
      offline: [],
      messages: [],
      changes: [],
      board: { version: 0, shapes: [] },
      cursors: [],
      seq: 0,
      resumed: false,
      limits: {
        maxMessageLength: stack.config.MAX_MESSAGE_LENGTH,
        messagesPerMinute: stack.config.MESSAGE_RATE_PER_MINUTE,
        messageBurst: stack.config.MESSAGE_BURST,
        burstWindowMs: BURST_WINDOW_MS,
        typingTimeoutMs: stack.config.TYPING_TIMEOUT_MS,
        cursorIntervalMs: stack.config.CURSOR_INTERVAL_MS,
        maxFrameBytes: stack.config.MAX_PAYLOAD_BYTES,
      },
    })
  })

  it('closes with ROOM_DELETED when the token names a room the backend does not have', async () => {
    const { claims } = await validClaims()
    const token = await roomToken({ ...claims, roomId: 'doesNotExist00' })
    const client = stack.connect({ token, v: PROTOCOL_VERSION })
    expect((await client.closed).code).toBe(CloseCode.ROOM_DELETED)
  })
})

describe('plain HTTP', () => {
  it('answers GET /healthz with the room and connection counts', async () => {
    const response = await fetch(`http://${stack.host}/healthz`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ ok: true, draining: false, rooms: expect.any(Number), connections: expect.any(Number) })
  })

  it('refuses DELETE /internal/rooms/:id without the service token, and 404s anything else', async () => {
    const { roomId } = await validClaims()
    const refused = await fetch(`http://${stack.host}/internal/rooms/${roomId}`, {
      method: 'DELETE',
      headers: { authorization: 'Bearer wrong' },
    })
    expect(refused.status).toBe(401)
    const unknown = await fetch(`http://${stack.host}/nothing`)
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({ error: { code: 'not_found' } })
  })
})
