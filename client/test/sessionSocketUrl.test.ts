import { PROTOCOL_VERSION } from '@scalable-chat/protocol/codes'
import { describe, expect, it } from 'vitest'
import { sessionSocketUrl } from '../src/room/sessionSocketUrl.js'

describe('sessionSocketUrl', () => {
  it('builds ws://host/ with the token and protocol version', () => {
    expect(sessionSocketUrl({ host: 'localhost:8000', token: 'a.b.c', secure: false })).toBe(
      `ws://localhost:8000/?token=a.b.c&v=${PROTOCOL_VERSION}`,
    )
  })
  it('adds since when the client holds messages', () => {
    expect(sessionSocketUrl({ host: 'h:1', token: 't', since: 42, secure: false })).toContain('&since=42')
  })
  it('uses wss on an https page', () => {
    expect(sessionSocketUrl({ host: 'chat.example.com', token: 't', secure: true })).toMatch(/^wss:\/\/chat\.example\.com\/\?/)
  })
  it("opens wss to a Hathora room's host:port from the https page CloudFront serves", () => {
    expect(sessionSocketUrl({ host: 'abc123.edge.hathora.dev:31942', token: 't', secure: true })).toMatch(
      /^wss:\/\/abc123\.edge\.hathora\.dev:31942\/\?token=t&/,
    )
  })
  it('keeps a full ws(s) URL with a path as given', () => {
    expect(sessionSocketUrl({ host: 'wss://edge.example.com/s/3', token: 't', secure: true })).toMatch(
      /^wss:\/\/edge\.example\.com\/s\/3\?token=t/,
    )
  })
  it('escapes the token', () => {
    expect(sessionSocketUrl({ host: 'h:1', token: 'a&b=c', secure: false })).toContain('token=a%26b%3Dc')
  })
})
