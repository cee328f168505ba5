import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * A constant-time check against one secret (a bearer token, or a whole `Bearer …` header).
 * Shared by the backend and the session servers, which check each other's service token with it.
 * Compares SHA-256 digests with `timingSafeEqual`: equal lengths for any input, so neither the
 * content nor the length of the secret leaks through timing.
 *
 * @example
 * const isServiceToken = secretMatcher(serviceToken)
 * isServiceToken(bearerToken(req)) // false for undefined or any other value
 */
export function secretMatcher(secret: string): (candidate: string | undefined) => boolean {
  const expected = digest(secret)
  return (candidate) => candidate !== undefined && timingSafeEqual(digest(candidate), expected)
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}
