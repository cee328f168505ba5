import { createHmac, sign, type KeyObject } from 'node:crypto'
import jwt from 'jsonwebtoken'

/**
 * JWTs on `node:crypto`, synchronously. Keys are `KeyObject`s, never strings: given a string
 * secret, jsonwebtoken first tries to read it as a PEM key, a thrown and caught error on every
 * call (~350 µs against ~10 µs for HS256 with a `KeyObject`).
 *
 * Signing is done here (a header, a payload and a signature, nothing to get wrong); verifying
 * stays with jsonwebtoken, whose checks (algorithm, audience, expiry, not-before) are the part
 * that must not be reinvented. Signing through jsonwebtoken cost a first join ~45 µs of option
 * validation and stream objects on top of the ES256 signature itself (joins benchmark profile).
 */
export type JwtAlgorithm = 'HS256' | 'ES256'

export interface JwtOptions {
  algorithm: JwtAlgorithm
  /** The `aud` claim written and required: one kind of token is never accepted as another. */
  audience: string
}

/**
 * A token signer: `sub`, `aud`, `iat` and `exp` (now + `ttlSeconds`) beside the claims given, and
 * `kid` in the header when given. Claims with their own `exp` (seconds since the epoch: a guest's
 * token ends with its access) keep it. The token is what jsonwebtoken would mint for the same
 * claims (`jwt.test.ts` checks that jsonwebtoken, which session servers verify with, accepts it).
 */
export function jwtSigner(key: KeyObject, { algorithm, audience, ttlSeconds, keyId }: JwtOptions & { ttlSeconds: number; keyId?: string }) {
  const header = base64url(JSON.stringify({ alg: algorithm, typ: 'JWT', ...(keyId ? { kid: keyId } : {}) }))
  const signature = signatureFor(algorithm, key)
  return (claims: { sub: string; exp?: number } & Record<string, unknown>): string => {
    const iat = Math.floor(Date.now() / 1000)
    const payload = { ...claims, iat, exp: claims.exp ?? iat + ttlSeconds, aud: audience }
    const signed = `${header}.${base64url(JSON.stringify(payload))}`
    return `${signed}.${signature(signed)}`
  }
}

/** JWS signatures (RFC 7515): HS256 an HMAC, ES256 the raw `r ‖ s` (IEEE P1363), not DER. */
function signatureFor(algorithm: JwtAlgorithm, key: KeyObject): (signed: string) => string {
  switch (algorithm) {
    case 'HS256':
      return (signed) => createHmac('sha256', key).update(signed).digest('base64url')
    case 'ES256':
      return (signed) => sign('sha256', Buffer.from(signed), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')
  }
}

function base64url(json: string): string {
  return Buffer.from(json).toString('base64url')
}

/**
 * A token verifier: the payload of a token that is well-formed, signed with `key` by `algorithm`
 * (no other: never `none`, never HS256 with a public key), for `audience`, not expired, with `exp`
 * and `sub`; `undefined` otherwise. The payload is still untrusted in shape: parse it with the
 * claims' schema.
 */
export function jwtVerifier(key: KeyObject, { algorithm, audience }: JwtOptions) {
  return (token: string): unknown => {
    try {
      const payload = jwt.verify(token, key, { algorithms: [algorithm], audience })
      return typeof payload === 'object' && payload.exp !== undefined && typeof payload.sub === 'string' ? payload : undefined
    } catch {
      return undefined
    }
  }
}
