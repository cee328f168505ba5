import { createSecretKey, type KeyObject } from 'node:crypto'
import { z } from 'zod'
import type { User } from '@scalable-chat/backend-contract'
import { ROOM_TOKEN_ALGORITHM, RoomTokenClaims, roomTokenKeyId, TokenAudience } from '@scalable-chat/backend-contract/internal'
import { jwtSigner, jwtVerifier } from './jwt.js'

const UserTokenClaims = z.object({ sub: z.string().min(1), username: z.string().min(1) })

export interface TokenKeys {
  /** `JWT_SECRET`: signs and verifies user tokens; never leaves the backend. */
  jwtSecret: string
  /** `ROOM_TOKEN_PRIVATE_KEY` (EC P-256): signs room tokens; session servers hold only its public half. */
  roomTokenPrivateKey: KeyObject
  userTokenTtlSeconds: number
  roomTokenTtlSeconds: number
}

/**
 * Mints and verifies the two kinds of JWT. User tokens (`aud` user, long-lived) are HS256 with
 * `JWT_SECRET`, which only the backend holds. Room tokens (`aud` room, minutes) are ES256 with
 * the backend's private key and carry its key id; session servers verify them with the public
 * key, which cannot mint a login or a token for another server. The audience keeps one kind from
 * being accepted as the other.
 */
export class TokenService {
  private readonly signUser: ReturnType<typeof jwtSigner>
  private readonly verifyUser: ReturnType<typeof jwtVerifier>
  private readonly signRoom: ReturnType<typeof jwtSigner>

  constructor(keys: TokenKeys) {
    const secret = createSecretKey(Buffer.from(keys.jwtSecret))
    this.signUser = jwtSigner(secret, { algorithm: 'HS256', audience: TokenAudience.USER, ttlSeconds: keys.userTokenTtlSeconds })
    this.verifyUser = jwtVerifier(secret, { algorithm: 'HS256', audience: TokenAudience.USER })
    this.signRoom = jwtSigner(keys.roomTokenPrivateKey, {
      algorithm: ROOM_TOKEN_ALGORITHM,
      audience: TokenAudience.ROOM,
      ttlSeconds: keys.roomTokenTtlSeconds,
      keyId: roomTokenKeyId(keys.roomTokenPrivateKey),
    })
  }

  signUserToken(user: User): string {
    return this.signUser({ sub: user.id, username: user.username })
  }

  /** The user, or `undefined` for a token that is malformed, forged, expired or not a user token. */
  verifyUserToken(token: string): User | undefined {
    const claims = UserTokenClaims.safeParse(this.verifyUser(token))
    return claims.success ? { id: claims.data.sub, username: claims.data.username } : undefined
  }

  /** Claims with a default (`readSeq`) may be left out. */
  signRoomToken(claims: z.input<typeof RoomTokenClaims>): string {
    return this.signRoom(RoomTokenClaims.parse(claims))
  }
}
