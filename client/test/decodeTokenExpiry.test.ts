import { describe, expect, it } from 'vitest'
import { decodeTokenExpiry } from '../src/auth/decodeTokenExpiry.js'

function jwt(claims: object): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}.signature`
}

describe('decodeTokenExpiry', () => {
  it('reads exp from a JWT', () => {
    expect(decodeTokenExpiry(jwt({ sub: 'u1', exp: 1_900_000_000 }))).toBe(1_900_000_000)
  })
  it('decodes base64url payloads that need padding and use - and _', () => {
    expect(decodeTokenExpiry(jwt({ sub: '??>>~~', username: 'ñ', exp: 42 }))).toBe(42)
  })
  it('returns null for a token without exp, or for garbage', () => {
    expect(decodeTokenExpiry(jwt({ sub: 'u1' }))).toBeNull()
    expect(decodeTokenExpiry('not-a-jwt')).toBeNull()
    expect(decodeTokenExpiry('a.!!!.c')).toBeNull()
    expect(decodeTokenExpiry(jwt({ exp: 'soon' }))).toBeNull()
  })
})
