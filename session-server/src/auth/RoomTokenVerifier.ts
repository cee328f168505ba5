import { hs256Verifier } from '@scalable-chat/backend-server/jwt'
import { RoomTokenClaims, TokenAudience } from '@scalable-chat/backend-server/internal-contract'

/**
 * Verifies room tokens: HS256 signature with the shared JWT_SECRET, expiry, the room audience
 * (so a user token is refused), the claims' shape, and that the token was minted for THIS server
 * (a token for another host means the client has a stale route).
 */
export class RoomTokenVerifier {
  private readonly verifyToken: ReturnType<typeof hs256Verifier>

  constructor(
    secret: string,
    private readonly publicHost: string,
  ) {
    this.verifyToken = hs256Verifier(secret, { audience: TokenAudience.ROOM })
  }

  /** The claims of a valid token for this host, or `undefined` (the reason is never useful to a client). */
  verify(token: string): RoomTokenClaims | undefined {
    const claims = RoomTokenClaims.safeParse(this.verifyToken(token))
    return claims.success && claims.data.host === this.publicHost ? claims.data : undefined
  }
}
