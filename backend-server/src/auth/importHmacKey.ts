import { webcrypto } from 'node:crypto'

/**
 * The shared `JWT_SECRET` as an HS256 WebCrypto key, for jose. Import it once and reuse it: jose
 * uses a `CryptoKey` as it is, whereas it re-imports a raw secret or a secret `KeyObject` on every
 * sign and verify (about 40 % of their cost). Exported as `@scalable-chat/backend-server/hmac-key`
 * for the session server, which verifies what this backend signs.
 */
export function importHmacKey(secret: string): Promise<webcrypto.CryptoKey> {
  return webcrypto.subtle.importKey('raw', Buffer.from(secret, 'utf8'), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ])
}
