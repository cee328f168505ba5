import { createVerifier } from 'fast-jwt'
import { RoomTokenClaims, TokenAudience } from '@scalable-chat/backend-contract/internal'

/**
 * Verifies room tokens: HS256 signature with the shared JWT_SECRET, expiry, the room audience
 * (so a user token is refused), the claims' shape, and that the token was minted for THIS server
 * (a token for another host means the client has a stale route). fast-jwt verifies synchronously
 * on node:crypto's HMAC, which matters on the handshake path.
 */
export class RoomTokenVerifier {
  private readonly verifyToken: (token: string) => unknown

  constructor(
    secret: string,
    private readonly publicHost: string,
  ) {
    this.verifyToken = createVerifier({
      key: secret,
      algorithms: ['HS256'],
      allowedAud: TokenAudience.ROOM,
      requiredClaims: ['aud', 'exp', 'sub'],
    })
  }

  /** The claims of a valid token for this host, or `undefined` (the reason is never useful to a client). */
  verify(token: string): RoomTokenClaims | undefined {
    let payload: unknown
    try {
      payload = this.verifyToken(token)
    } catch {
      return undefined
    }
    const claims = RoomTokenClaims.safeParse(payload)
    return claims.success && claims.data.host === this.publicHost ? claims.data : undefined
  }
}
