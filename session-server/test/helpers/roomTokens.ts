/**
 * Room tokens signed in tests with jose (an implementation independent of the servers'): with the
 * test backend's private key, with another key, or with what an attacker could try instead.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { roomTokenKeyId, TokenAudience } from '@scalable-chat/backend-contract/internal'
import { TEST_ROOM_TOKEN_PRIVATE_KEY, TEST_ROOM_TOKEN_PUBLIC_KEY } from '@scalable-chat/backend-server/testing'
import { SignJWT } from 'jose'

export const TEST_KEY = createPrivateKey(TEST_ROOM_TOKEN_PRIVATE_KEY)
export const TEST_KEY_ID = roomTokenKeyId(TEST_KEY)

export interface SignOptions {
  /** An EC P-256 private key other than the backend's (a forger's). */
  key?: KeyObject
  /** HS256 with this secret instead of ES256: the algorithm-confusion attack uses the public key's PEM. */
  hmacSecret?: string
  audience?: string
  /** Seconds since the epoch, or a jose duration ('5m'). */
  expiresAt?: number | string
  /** The `kid` header; default: the signing key's id (none for HS256). */
  kid?: string
}

export function signRoomToken(claims: Record<string, unknown>, options: SignOptions = {}): Promise<string> {
  const key = options.key ?? TEST_KEY
  const jwt = new SignJWT(claims)
    .setSubject(String(claims.sub ?? 'u1'))
    .setAudience(options.audience ?? TokenAudience.ROOM)
    .setIssuedAt()
    .setExpirationTime(options.expiresAt ?? '5m')
  if (options.hmacSecret !== undefined) {
    return jwt.setProtectedHeader({ alg: 'HS256', ...(options.kid ? { kid: options.kid } : {}) }).sign(new TextEncoder().encode(options.hmacSecret))
  }
  return jwt.setProtectedHeader({ alg: 'ES256', kid: options.kid ?? roomTokenKeyId(key) }).sign(key)
}

/** A key pair nobody trusts. */
export function forgerKey(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
}

/** The token with `alg: none` and no signature. */
export function unsigned(token: string): string {
  const [, payload] = token.split('.') as [string, string]
  return `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`
}

export { TEST_ROOM_TOKEN_PUBLIC_KEY }
