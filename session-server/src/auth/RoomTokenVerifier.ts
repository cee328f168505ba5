import type { webcrypto } from 'node:crypto'
import { jwtVerify } from 'jose'
import { importHmacKey } from '@scalable-chat/backend-server/hmac-key'
import { RoomTokenClaims, TokenAudience } from '@scalable-chat/backend-server/internal-contract'

/**
 * Verifies room tokens: HS256 signature with the shared JWT_SECRET, expiry, the room audience
 * (so a user token is refused), the claims' shape, and that the token was minted for THIS server
 * (a token for another host means the client has a stale route).
 */
export class RoomTokenVerifier {
  // Imported once, as a CryptoKey: jose re-imports a raw secret or a KeyObject on every verify.
  private readonly key: Promise<webcrypto.CryptoKey>

  constructor(
    secret: string,
    private readonly publicHost: string,
  ) {
    this.key = importHmacKey(secret)
  }

  /** The claims of a valid token for this host, or `undefined` (the reason is never useful to a client). */
  async verify(token: string): Promise<RoomTokenClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, await this.key, { algorithms: ['HS256'], audience: TokenAudience.ROOM })
      const claims = RoomTokenClaims.safeParse(payload)
      if (!claims.success || claims.data.host !== this.publicHost) return undefined
      return claims.data
    } catch {
      return undefined
    }
  }
}
