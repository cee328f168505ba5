import { createSigner, createVerifier } from 'fast-jwt'

/**
 * HS256 JWTs with the shared `JWT_SECRET`, signed and verified synchronously by fast-jwt on
 * node:crypto's HMAC. Not jose: its web build runs every HMAC as a WebCrypto job (a promise and a
 * thread-pool hop each), 109 µs per sign+verify against fast-jwt's 14 µs, the largest item in
 * the joins benchmark's profile. (The session servers verify room tokens the same way, with
 * fast-jwt, in their own `RoomTokenVerifier`.)
 */
export interface JwtOptions {
  /** The `aud` claim written and required: one kind of token is never accepted as another. */
  audience: string
}

/** A token signer: `sub`, `aud`, `iat` and `exp` (now + `ttlSeconds`) beside the claims given. */
export function hs256Signer(secret: string, { audience, ttlSeconds }: JwtOptions & { ttlSeconds: number }) {
  const sign = createSigner({ key: secret, algorithm: 'HS256', aud: audience, expiresIn: ttlSeconds * 1000 })
  return (claims: { sub: string } & Record<string, unknown>): string => sign(claims)
}

/**
 * A token verifier: the payload of a token that is well-formed, HS256, signed with `secret`, for
 * `audience`, and not expired (`exp`, `aud` and `sub` required); `undefined` otherwise. The
 * payload is still untrusted in shape: parse it with the claims' schema.
 */
export function hs256Verifier(secret: string, { audience }: JwtOptions) {
  const verify = createVerifier({
    key: secret,
    algorithms: ['HS256'],
    allowedAud: audience,
    requiredClaims: ['aud', 'exp', 'sub'],
  })
  return (token: string): unknown => {
    try {
      return verify(token) as unknown
    } catch {
      return undefined
    }
  }
}
