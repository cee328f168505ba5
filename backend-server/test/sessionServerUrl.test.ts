import { describe, expect, it } from 'vitest'
import { sessionServerUrl } from '../src/sessionServerUrl.js'

describe('sessionServerUrl', () => {
  it('uses http for a host:port address', () => {
    expect(sessionServerUrl('127.0.0.1:8000', '/healthz')).toBe('http://127.0.0.1:8000/healthz')
  })
  it('maps wss to https and keeps the path prefix', () => {
    expect(sessionServerUrl('wss://chat.example.com/s/session-3', '/healthz')).toBe('https://chat.example.com/s/session-3/healthz')
  })
  it('maps ws to http, with or without a trailing slash', () => {
    expect(sessionServerUrl('ws://localhost:8090/s/abc/', '/internal/rooms/r1')).toBe('http://localhost:8090/s/abc/internal/rooms/r1')
    expect(sessionServerUrl('ws://localhost:8000', '/healthz')).toBe('http://localhost:8000/healthz')
  })
  it('keeps a query a query, behind the path prefix', () => {
    expect(sessionServerUrl('ws://edge:8090/s/abc', '/internal/rooms/r1/members/u1/left?ownerId=u2')).toBe(
      'http://edge:8090/s/abc/internal/rooms/r1/members/u1/left?ownerId=u2',
    )
    expect(sessionServerUrl('127.0.0.1:8000', '/x?y=1')).toBe('http://127.0.0.1:8000/x?y=1')
  })
  it('uses an internal http URL as given', () => {
    expect(sessionServerUrl('http://session-server-0.session-server:8000', '/healthz')).toBe('http://session-server-0.session-server:8000/healthz')
  })
})
