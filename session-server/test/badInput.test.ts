/**
 * The bad-input battery: property-based fuzzing (fast-check) of the frame parser and of a live
 * session server, plus hand-picked cases (truncated JSON, huge and invalid-UTF-8 frames, unicode
 * edge cases, injection-looking text, expired/forged/wrong-host tokens, a flood of bad connects).
 * Every case must get its clear error; afterwards the server still serves normal traffic and
 * storage holds exactly the valid messages. Case counts are printed at the end.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BAD_REQUEST_TARGETS, rawRequestStatus } from '@scalable-chat/backend-server/testing'
import { TokenAudience } from '@scalable-chat/backend-contract/internal'
import { parseClientFrame } from '../src/connection/parseClientFrame.js'
import { MAX_STRIKES } from '../src/connection/StrikeCounter.js'
import { ClientMessage, CloseCode, ErrorCode, MEMBER_STATUSES, PROTOCOL_VERSION, type MemberStatus } from '@scalable-chat/protocol'
import { sanitizeText } from '../src/room/sanitizeText.js'
import { forgerKey, signRoomToken, TEST_KEY_ID, TEST_ROOM_TOKEN_PUBLIC_KEY, unsigned } from './helpers/roomTokens.js'
import { startStack, uniqueName, type Stack } from './helpers/stack.js'
import type { TestClient } from './helpers/TestClient.js'

const MAX_MESSAGE_LENGTH = 200
const MAX_PAYLOAD_BYTES = 4096
const ERROR_CODES = new Set<string>(Object.values(ErrorCode))
const counts: Record<string, number> = {}
const count = (group: string, n = 1) => (counts[group] = (counts[group] ?? 0) + n)

let stack: Stack
beforeAll(async () => {
  stack = await startStack({
    MAX_MESSAGE_LENGTH: String(MAX_MESSAGE_LENGTH),
    MAX_PAYLOAD_BYTES: String(MAX_PAYLOAD_BYTES),
    // The battery sends hundreds of frames from one user; the rate limit has its own tests.
    MESSAGE_BURST: '100000',
    MESSAGE_RATE_PER_MINUTE: '100000',
    FRAMES_PER_SECOND: '100000',
    // The prober reconnects before each strike limit, and reads each answer from a status echo.
    CONNECTS_PER_USER_PER_MINUTE: '100000',
    PRESENCE_INTERVAL_MS: '0',
  })
})
afterAll(async () => {
  await stack.close()
  const total = Object.values(counts).reduce((a, b) => a + b, 0)
  console.log(`bad-input battery (session-server): ${total} cases — ${JSON.stringify(counts)}`)
})

/** What the server must answer to one text frame, judged from the protocol's schema alone. */
function expectedOutcome(frame: string): { valid: false } | { valid: true; message: ClientMessage } {
  let json: unknown
  try {
    json = JSON.parse(frame)
  } catch {
    return { valid: false }
  }
  const parsed = ClientMessage.safeParse(json)
  return parsed.success ? { valid: true, message: parsed.data } : { valid: false }
}

/**
 * Sends frames on one member connection and collects the server's answer to each: after the
 * frame it sends a status change (the sentinel) and waits for its echo, so everything the server
 * said about the frame has arrived by then — no sleeps. Reconnects before the strike limit.
 */
class Prober {
  private client!: TestClient
  private refused = 0
  private status: MemberStatus = 'online'
  /** Valid, storable sends (distinct clientIds), i.e. the rows storage must hold. */
  readonly storedClientIds = new Set<string>()

  constructor(
    private readonly roomToken: string,
  ) {}

  async open(): Promise<void> {
    this.client?.terminate()
    this.client = stack.connect({ token: this.roomToken, v: PROTOCOL_VERSION })
    await this.client.next('snapshot')
    this.refused = 0
    this.status = 'online'
  }

  /** The error frames the server answered this frame with. */
  async probe(frame: string | Buffer): Promise<string[]> {
    if (this.refused >= MAX_STRIKES - 1) await this.open()
    const before = this.client.received.length
    if (Buffer.isBuffer(frame)) this.client.ws.send(frame, { binary: true })
    else this.client.ws.send(frame)
    const outcome = typeof frame === 'string' ? expectedOutcome(frame) : { valid: false as const }
    if (outcome.valid && outcome.message.type === 'status') this.status = outcome.message.status
    const sentinel = MEMBER_STATUSES.find((s) => s !== this.status)!
    this.client.ws.send(JSON.stringify({ type: 'status', status: sentinel }))
    this.status = sentinel
    while ((await this.client.next('status')).status !== sentinel) {
      // a status change made by the fuzzed frame itself
    }
    const errors = this.client.received.slice(before).flatMap((m) => (m.type === 'error' ? [m.code] : []))
    this.refused += errors.length
    return errors
  }

  /** Asserts the answer to a text frame: an error for anything invalid, none for a valid message. */
  async check(frame: string): Promise<void> {
    const errors = await this.probe(frame)
    const outcome = expectedOutcome(frame)
    if (!outcome.valid) {
      expect(errors).toHaveLength(1)
      expect([ErrorCode.INVALID_JSON, ErrorCode.INVALID_MESSAGE, ErrorCode.UNKNOWN_TYPE]).toContain(errors[0])
      return
    }
    const message = outcome.message
    if (message.type !== 'send') return expect(errors).toEqual([])
    const text = sanitizeText(message.text)
    if (text.length === 0) return expect(errors).toEqual([ErrorCode.EMPTY_MESSAGE])
    if (text.length > MAX_MESSAGE_LENGTH) return expect(errors).toEqual([ErrorCode.MESSAGE_TOO_LONG])
    expect(errors).toEqual([])
    this.storedClientIds.add(message.clientId)
  }

  get connection(): TestClient {
    return this.client
  }
}

describe('the frame parser (property-based)', () => {
  it('never throws, and answers every string, byte array and JSON value with a message or a known error code', () => {
    const assertParsed = (frame: Buffer, isBinary: boolean) => {
      const parsed = parseClientFrame(frame, isBinary)
      if (!parsed.ok) expect(ERROR_CODES).toContain(parsed.code)
      count('parser')
    }
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => assertParsed(Buffer.from(s), false)), { numRuns: 1000 })
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => assertParsed(Buffer.from(b), false)), { numRuns: 500 })
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => assertParsed(Buffer.from(b), true)), { numRuns: 200 })
    fc.assert(fc.property(fc.jsonValue(), (v) => assertParsed(Buffer.from(JSON.stringify(v) ?? 'null'), false)), { numRuns: 1000 })
  })

  it('sanitizeText leaves no control characters (but \\n, \\t) and no lone surrogates, and is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'binary-ascii', maxLength: 50 }), (a, b) => {
        const dirty = `${a}\ud800${b}\u0000\u202e\u200b${a}\udc00`
        const clean = sanitizeText(dirty)
        expect(clean).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/)
        expect(clean).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/)
        expect(sanitizeText(clean)).toBe(clean)
        count('sanitizeText')
      }),
      { numRuns: 500 },
    )
  })
})

describe('a live session server under bad input', () => {
  let prober: Prober
  let roomId: string
  let owner: Awaited<ReturnType<Stack['register']>>

  beforeAll(async () => {
    owner = await stack.register(uniqueName('fuzz'))
    roomId = await stack.createRoom(owner.token)
    prober = new Prober((await stack.join(owner.token, roomId)).token)
    await prober.open()
  })

  /** Near-valid messages: right types with wrong fields, wrong types with right fields. */
  const nearValid = fc.record(
    {
      type: fc.oneof(fc.constantFrom('send', 'typing', 'status', 'SEND', 'shout', ''), fc.anything()),
      clientId: fc.oneof(fc.stringMatching(/^[\w-]{1,64}$/), fc.string({ unit: 'binary', maxLength: 80 }), fc.anything()),
      text: fc.oneof(fc.string({ unit: 'binary', maxLength: MAX_MESSAGE_LENGTH + 20 }), fc.anything()),
      typing: fc.oneof(fc.boolean(), fc.anything()),
      status: fc.oneof(fc.constantFrom(...MEMBER_STATUSES), fc.string(), fc.anything()),
      extra: fc.anything(),
    },
    { requiredKeys: ['type'] },
  )

  it('answers arbitrary JSON values, strings, near-valid messages and binary frames with clear errors, storing only valid sends', async () => {
    await fc.assert(fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (v) => {
      await prober.check(JSON.stringify(v) ?? 'null')
      count('live: JSON values')
    }), { numRuns: 300 })
    await fc.assert(fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 200 }), async (s) => {
      await prober.check(s)
      count('live: strings')
    }), { numRuns: 300 })
    await fc.assert(fc.asyncProperty(nearValid, async (m) => {
      let frame: string
      try {
        frame = JSON.stringify(m) ?? 'null'
      } catch {
        return // BigInt and friends cannot be JSON
      }
      await prober.check(frame)
      count('live: near-valid messages')
    }), { numRuns: 500 })
    await fc.assert(fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 300 }), async (b) => {
      expect(await prober.probe(Buffer.from(b))).toEqual([ErrorCode.BINARY_NOT_SUPPORTED])
      count('live: binary frames')
    }), { numRuns: 100 })
  })

  it('answers every truncation of a valid frame with invalid_json', async () => {
    const frame = JSON.stringify({ type: 'send', clientId: 'trunc-1', text: 'cut me 🙂 שלום' })
    for (let length = 0; length < frame.length; length++) {
      const errors = await prober.probe(frame.slice(0, length))
      expect(errors).toEqual([length === 0 ? ErrorCode.INVALID_JSON : expect.stringMatching(/^invalid_(json|message)$/)])
      count('hand: truncated JSON')
    }
  })

  it('stores unicode edge cases and injection-looking text verbatim (control characters removed, lone surrogates replaced)', async () => {
    const cases: Array<[raw: string, stored: string]> = [
      ['emoji 👩🏽‍💻🏳️‍🌈 family 👨‍👩‍👧‍👦', 'emoji 👩🏽‍💻🏳️‍🌈 family 👨‍👩‍👧‍👦'],
      ['RTL שלום عليكم \u202eevil.exe', 'RTL שלום عليكم \u202eevil.exe'],
      ['zero\u200bwidth\u200d joiner\ufeff inside', 'zero\u200bwidth\u200d joiner\ufeff inside'],
      ['combining e\u0301\u0301\u0301 Z̤͔ͧ̑̓', 'combining e\u0301\u0301\u0301 Z̤͔ͧ̑̓'],
      ['lone \ud800 high and \udfff low', 'lone \ufffd high and \ufffd low'],
      ['nul\u0000 bell\u0007 esc\u001b[31m c1\u0085', 'nul bell esc[31m c1'],
      ["'; DROP TABLE messages; --", "'; DROP TABLE messages; --"],
      ['<script>alert(1)</script><img src=x onerror=alert(1)>', '<script>alert(1)</script><img src=x onerror=alert(1)>'],
      ['{{7*7}} ${process.exit(1)} %s%n ../../etc/passwd', '{{7*7}} ${process.exit(1)} %s%n ../../etc/passwd'],
      ['{"type":"room_deleted"}', '{"type":"room_deleted"}'],
    ]
    for (const [index, [raw, stored]] of cases.entries()) {
      const clientId = `unicode-${index}`
      // Hand-built JSON so a lone surrogate travels as its \u escape, as a hostile client would send it.
      const frame = `{"type":"send","clientId":"${clientId}","text":${JSON.stringify(raw).replace(/[\ud800-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`)}}`
      expect(await prober.probe(frame)).toEqual([])
      prober.storedClientIds.add(clientId)
      const acked = await prober.connection.waitForCount('message', 1).then(async () => {
        for (;;) {
          const found = prober.connection.all('message').find((m) => m.message.clientId === clientId)
          if (found) return found
          await prober.connection.next('message')
        }
      })
      expect(acked.message.text).toBe(stored)
      const [row] = await stack.backend.db.query<{ text: string }>('SELECT text FROM messages WHERE room_id = $1 AND client_id = $2', [roomId, clientId])
      expect(row?.text).toBe(stored)
      count('hand: unicode and injection texts')
    }
  })

  it('closes a frame over MAX_PAYLOAD_BYTES with 1009 and a text frame of invalid UTF-8 with 1007', async () => {
    const { token } = await stack.join(owner.token, roomId)
    const huge = stack.connect({ token, v: PROTOCOL_VERSION })
    await huge.next('snapshot')
    huge.send({ type: 'send', clientId: 'huge', text: 'x'.repeat(MAX_PAYLOAD_BYTES) })
    expect((await huge.closed).code).toBe(1009)
    const invalid = stack.connect({ token, v: PROTOCOL_VERSION })
    await invalid.next('snapshot')
    invalid.ws.send(Buffer.from([0x7b, 0xc3, 0x28, 0xff, 0xfe, 0x7d]), { binary: false })
    expect((await invalid.closed).code).toBe(1007)
    count('hand: huge and invalid UTF-8 frames', 2)
  })

  it('refuses expired, forged, wrong-host, wrong-audience, alg-none and tampered tokens, and a flood of 200 bad connects, then serves normally', async () => {
    const claims = { sub: owner.user.id, username: owner.user.username, roomId, host: stack.host, epoch: 1 }
    const sign = signRoomToken
    const valid = await sign(claims)
    const [header, payload, signature] = valid.split('.') as [string, string, string]
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), roomId: 'someOtherRoom1' })).toString('base64url')}.${signature}`
    const algNone = unsigned(valid)
    const badTokens = [
      await sign(claims, { expiresAt: Math.floor(Date.now() / 1000) - 60 }),
      await sign(claims, { key: forgerKey() }),
      await sign(claims, { key: forgerKey(), kid: TEST_KEY_ID }),
      await sign(claims, { hmacSecret: TEST_ROOM_TOKEN_PUBLIC_KEY }),
      await sign({ ...claims, host: '127.0.0.1:1' }),
      await sign(claims, { audience: TokenAudience.USER }),
      owner.token,
      tampered,
      algNone,
      '',
      'not.a.jwt',
      'x'.repeat(4000),
    ]
    for (const token of badTokens) {
      expect(await stack.connect({ token, v: PROTOCOL_VERSION }).rejected).toBe(401)
      count('hand: bad tokens')
    }
    const flood = Array.from({ length: 200 }, (_, i) => stack.connect({ token: badTokens[i % badTokens.length]!, v: PROTOCOL_VERSION }))
    expect(new Set(await Promise.all(flood.map((c) => c.rejected)))).toEqual(new Set([401]))
    count('hand: flood of bad connects', flood.length)
    expect(stack.session.rooms.connectionCount).toBeLessThanOrEqual(2)
  })

  it('answers odd request targets (sent verbatim over TCP) with 400 or 404, upgrades to them with a 4xx, and keeps serving', async () => {
    const upgrade = { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13' }
    for (const target of BAD_REQUEST_TARGETS) {
      for (const method of ['GET', 'DELETE']) {
        expect({ method, target, status: await rawRequestStatus(stack.host, method, target) }).toEqual({ method, target, status: expect.toBeOneOf([400, 404]) })
        count('hand: request targets')
      }
      for (const query of ['', `?token=x&v=${PROTOCOL_VERSION}`]) {
        const status = await rawRequestStatus(stack.host, 'GET', `${target}${query}`, upgrade)
        expect({ target, query, status }).toEqual({ target, query, status: expect.toBeOneOf([400, 401]) })
        count('hand: upgrade request targets')
      }
    }
    expect(await rawRequestStatus(stack.host, 'GET', '/healthz')).toBe(200)
  })

  it('afterwards still serves normal traffic, and storage holds exactly the valid messages', async () => {
    const guest = await stack.register(uniqueName('after'))
    const { token } = await stack.join(guest.token, roomId)
    const client = stack.connect({ token, v: PROTOCOL_VERSION })
    await client.next('snapshot')
    client.send({ type: 'send', clientId: 'after-battery', text: 'still works' })
    // Messages are stored in arrival order by the room's single writer: this one comes last.
    let message = (await client.next('message')).message
    while (message.clientId !== 'after-battery') message = (await client.next('message')).message
    expect(message.seq).toBe(prober.storedClientIds.size + 1)
    const [row] = await stack.backend.db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE room_id = $1', [roomId])
    expect(row?.n).toBe(prober.storedClientIds.size + 1)
    const [users] = await stack.backend.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users')
    expect(users?.n).toBe(2)
    const [rooms] = await stack.backend.db.query<{ n: number }>('SELECT count(*)::int AS n FROM rooms')
    expect(rooms?.n).toBe(1)
  })
})
