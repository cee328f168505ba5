import { createSecretKey, type KeyObject } from 'node:crypto'
import { jwtVerify } from 'jose'
import { RoomTokenClaims, TokenAudience } from '@scalable-chat/backend-server/internal-contract'

/**
 * Verifies room tokens: HS256 signature with the shared JWT_SECRET, expiry, the room audience
 * (so a user token is refused), the claims' shape, and that the token was minted for THIS server
 * (a token for another host means the client has a stale route).
 */
export class RoomTokenVerifier {
  // Imported once: creating the key object per connection would be wasted work on every join.
  private readonly key: KeyObject

  constructor(
    secret: string,
    private readonly publicHost: string,
  ) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'))
  }

  /** The claims of a valid token for this host, or `undefined` (the reason is never useful to a client). */
  async verify(token: string): Promise<RoomTokenClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], audience: TokenAudience.ROOM })
      const claims = RoomTokenClaims.safeParse(payload)
      if (!claims.success || claims.data.host !== this.publicHost) return undefined
      return claims.data
    } catch {
      return undefined
    }
  }
}
