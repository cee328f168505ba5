import { z } from 'zod'
import type { User } from '@scalable-chat/backend-contract'
import { RoomTokenClaims, TokenAudience } from '@scalable-chat/backend-contract/internal'
import { hs256Signer, hs256Verifier } from './jwt.js'

const UserTokenClaims = z.object({ sub: z.string().min(1), username: z.string().min(1) })

/**
 * Mints and verifies the two kinds of JWT, both HS256 with the shared `JWT_SECRET`:
 * user tokens (`aud` user, long-lived) and room tokens (`aud` room, minutes, verified by session
 * servers). The audience keeps one kind from being accepted as the other.
 */
export class TokenService {
  private readonly signUser: ReturnType<typeof hs256Signer>
  private readonly verifyUser: ReturnType<typeof hs256Verifier>
  private readonly signRoom: ReturnType<typeof hs256Signer>

  constructor(secret: string, ttl: { userTokenTtlSeconds: number; roomTokenTtlSeconds: number }) {
    this.signUser = hs256Signer(secret, { audience: TokenAudience.USER, ttlSeconds: ttl.userTokenTtlSeconds })
    this.verifyUser = hs256Verifier(secret, { audience: TokenAudience.USER })
    this.signRoom = hs256Signer(secret, { audience: TokenAudience.ROOM, ttlSeconds: ttl.roomTokenTtlSeconds })
  }

  signUserToken(user: User): string {
    return this.signUser({ sub: user.id, username: user.username })
  }

  /** The user, or `undefined` for a token that is malformed, forged, expired or not a user token. */
  verifyUserToken(token: string): User | undefined {
    const claims = UserTokenClaims.safeParse(this.verifyUser(token))
    return claims.success ? { id: claims.data.sub, username: claims.data.username } : undefined
  }

  signRoomToken(claims: RoomTokenClaims): string {
    return this.signRoom(RoomTokenClaims.parse(claims))
  }
}
