import { closeCodeInfo, CloseCode, CLOSE_CODES, handshakeUrl, HandshakeQuery, PROTOCOL_VERSION } from '../src/index.js'
import { describe, expect, it } from 'vitest'

describe('handshakeUrl', () => {
  it('builds ws://host/ with the token and protocol version', () => {
    expect(handshakeUrl({ host: 'localhost:8000', token: 'a.b.c', secure: false })).toBe(
      `ws://localhost:8000/?token=a.b.c&v=${PROTOCOL_VERSION}`,
    )
  })
  it('adds since when the client holds messages', () => {
    expect(handshakeUrl({ host: 'h:1', token: 't', since: 42, secure: false })).toContain('&since=42')
  })
  it('uses wss on an https page', () => {
    expect(handshakeUrl({ host: 'chat.example.com', token: 't', secure: true })).toMatch(/^wss:\/\/chat\.example\.com\/\?/)
  })
  it("opens wss to a Hathora room's host:port from the https page CloudFront serves", () => {
    expect(handshakeUrl({ host: 'abc123.edge.hathora.dev:31942', token: 't', secure: true })).toMatch(
      /^wss:\/\/abc123\.edge\.hathora\.dev:31942\/\?token=t&/,
    )
  })
  it('keeps a full ws(s) URL with a path as given', () => {
    expect(handshakeUrl({ host: 'wss://edge.example.com/s/3', token: 't', secure: true })).toMatch(
      /^wss:\/\/edge\.example\.com\/s\/3\?token=t/,
    )
  })
  it('escapes the token', () => {
    expect(handshakeUrl({ host: 'h:1', token: 'a&b=c', secure: false })).toContain('token=a%26b%3Dc')
  })
})

describe('HandshakeQuery', () => {
  it('reads back what handshakeUrl writes', () => {
    const url = new URL(handshakeUrl({ host: 'h:1', token: 'a.b.c', since: 42, secure: false }))
    expect(HandshakeQuery.parse(Object.fromEntries(url.searchParams))).toEqual({ token: 'a.b.c', v: String(PROTOCOL_VERSION), since: 42 })
  })
  it.each([
    [{}, 'token'],
    [{ token: '' }, 'token'],
    [{ token: 't', since: '-1' }, 'since'],
    [{ token: 't', since: '1e3' }, 'since'],
    [{ token: 't', since: '1234567890123456' }, 'since'],
  ])('refuses %j, naming %s', (query, field) => {
    const result = HandshakeQuery.safeParse(query)
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]?.path).toEqual([field])
  })
})

describe('the close-code table', () => {
  it('gives every code a reason short enough for a close frame (123 bytes)', () => {
    for (const { reason } of Object.values(CLOSE_CODES)) expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123)
  })
  it.each([
    [CloseCode.SERVICE_RESTART, 'now', true],
    [CloseCode.ABNORMAL, 'now', true],
    [CloseCode.ROOM_MOVED, 'now', false],
    [CloseCode.ROOM_UNAVAILABLE, 'backoff', false],
    [CloseCode.TOO_SLOW, 'backoff', false],
    [CloseCode.ROOM_DELETED, 'never', false],
    [CloseCode.ROOM_FULL, 'never', false],
    [CloseCode.PROTOCOL_MISMATCH, 'never', false],
    [CloseCode.POLICY_VIOLATION, 'never', false],
  ] as const)('after %i a client reconnects %s (server gone: %s)', (code, reconnect, serverGone) => {
    expect(closeCodeInfo(code)).toMatchObject({ reconnect, serverGone })
  })
  it('retries a code it does not know (a newer server\'s) with backoff, NOT never', () => {
    expect(closeCodeInfo(4777)).toEqual({ reason: 'unknown', reconnect: 'backoff', serverGone: false })
  })
})
