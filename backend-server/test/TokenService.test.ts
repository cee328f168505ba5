import { createPublicKey, createSecretKey, generateKeyPairSync } from 'node:crypto'
import jwt from 'jsonwebtoken'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { roomTokenKeyId, TokenAudience } from '@scalable-chat/backend-contract/internal'
import { TokenService, type TokenKeys } from '../src/auth/TokenService.js'

const keys: TokenKeys = {
  jwtSecret: 'a-test-secret-of-at-least-32-characters',
  roomTokenPrivateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  userTokenTtlSeconds: 3600,
  roomTokenTtlSeconds: 300,
}
const user = { id: '6f1c1a52-5d0e-4a4f-9d3b-0c8f6f6f2b11', username: 'ada' }
const roomClaims = { sub: user.id, username: user.username, roomId: 'abcdefghijkl', host: 'h:1', epoch: 3, readSeq: 7 }

afterEach(() => {
  vi.useRealTimers()
})

describe('TokenService#signRoomToken', () => {
  it('mints an ES256 token with the key id that jsonwebtoken (as session servers use it) accepts', () => {
    const token = new TokenService(keys).signRoomToken(roomClaims)
    const { header, payload } = jwt.verify(token, createPublicKey(keys.roomTokenPrivateKey), {
      algorithms: ['ES256'],
      audience: TokenAudience.ROOM,
      complete: true,
    }) as jwt.Jwt & { payload: jwt.JwtPayload }
    expect(header).toEqual({ alg: 'ES256', typ: 'JWT', kid: roomTokenKeyId(keys.roomTokenPrivateKey) })
    expect(payload).toMatchObject({ ...roomClaims, aud: TokenAudience.ROOM })
    expect(payload.exp! - payload.iat!).toBe(keys.roomTokenTtlSeconds)
  })

  it('ends a guest room token at the guest end of access when that comes first', () => {
    const notAfter = Math.floor(Date.now() / 1000) + 60
    const token = new TokenService(keys).signRoomToken({ ...roomClaims, guest: true }, notAfter)
    const payload = jwt.verify(token, createPublicKey(keys.roomTokenPrivateKey), { algorithms: ['ES256'], audience: TokenAudience.ROOM }) as jwt.JwtPayload
    expect(payload).toMatchObject({ guest: true, exp: notAfter })
  })

  it('does NOT sign claims that break the contract', () => {
    expect(() => new TokenService(keys).signRoomToken({ ...roomClaims, roomId: 'not a room id!' })).toThrow()
  })
})

describe('TokenService#verifyUserToken', () => {
  it('mints HS256 user tokens that jsonwebtoken accepts, and reads them back', () => {
    const tokens = new TokenService(keys)
    const token = tokens.signUserToken(user)
    const payload = jwt.verify(token, createSecretKey(Buffer.from(keys.jwtSecret)), { algorithms: ['HS256'], audience: TokenAudience.USER })
    expect(payload).toMatchObject({ sub: user.id, username: user.username })
    expect(tokens.verifyUserToken(token)).toEqual({ user, guestRoomId: undefined, guestExpiresAt: undefined })
  })

  it('refuses a token it verified before once it has expired', () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') })
    const tokens = new TokenService(keys)
    const token = tokens.signUserToken(user)
    expect(tokens.verifyUserToken(token)).toBeDefined()
    vi.setSystemTime(Date.now() + (keys.userTokenTtlSeconds - 1) * 1000)
    expect(tokens.verifyUserToken(token)).toBeDefined()
    vi.setSystemTime(Date.now() + 1000)
    expect(tokens.verifyUserToken(token)).toBeUndefined()
  })

  it('ends a guest token with its access, also when answered from memory', () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') })
    const tokens = new TokenService(keys)
    const expiresAt = new Date(Date.now() + 30_000).toISOString()
    const token = tokens.signGuestToken({ id: user.id, username: 'guest', roomId: 'abcdefghijkl', expiresAt })
    const holder = tokens.verifyUserToken(token)
    expect(holder).toEqual({ user: { id: user.id, username: 'guest', guest: true }, guestRoomId: 'abcdefghijkl', guestExpiresAt: Date.parse(expiresAt) / 1000 })
    vi.setSystemTime(Date.parse(expiresAt))
    expect(tokens.verifyUserToken(token)).toBeUndefined()
  })

  it('does NOT accept a tampered copy of a token it verified', () => {
    const tokens = new TokenService(keys)
    const token = tokens.signUserToken(user)
    expect(tokens.verifyUserToken(token)).toBeDefined()
    const [header, payload, signature] = token.split('.')
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, username: 'root' })).toString('base64url')}.${signature}`
    expect(tokens.verifyUserToken(tampered)).toBeUndefined()
  })

  it('answers each caller objects of its own', () => {
    const tokens = new TokenService(keys)
    const token = tokens.signUserToken(user)
    const first = tokens.verifyUserToken(token)!
    first.user.username = 'changed'
    expect(tokens.verifyUserToken(token)!.user.username).toBe(user.username)
  })
})
