import type { webcrypto } from 'node:crypto'
import { jwtVerify, SignJWT } from 'jose'
import { z } from 'zod'
import type { User } from '../contract.js'
import { importHmacKey } from './importHmacKey.js'
import { RoomTokenClaims, TokenAudience } from '../internalContract.js'

const UserTokenClaims = z.object({ sub: z.string().min(1), username: z.string().min(1) })

const ALGORITHM = 'HS256'

/**
 * Mints and verifies the two kinds of JWT, both HS256 with the shared `JWT_SECRET`:
 * user tokens (`aud` user, long-lived) and room tokens (`aud` room, minutes, verified by session
 * servers). The audience keeps one kind from being accepted as the other.
 */
export class TokenService {
  /**
   * A WebCrypto `CryptoKey`, imported once. Not a `KeyObject`: jose's web build exports a secret
   * KeyObject to bytes and re-imports it on every sign and verify, which was ~40 % of their cost
   * (profile of the joins benchmark).
   */
  private readonly key: Promise<webcrypto.CryptoKey>

  constructor(
    secret: string,
    private readonly ttl: { userTokenTtlSeconds: number; roomTokenTtlSeconds: number },
  ) {
    this.key = importHmacKey(secret)
  }

  async signUserToken(user: User): Promise<string> {
    return new SignJWT({ username: user.username })
      .setProtectedHeader({ alg: ALGORITHM })
      .setSubject(user.id)
      .setAudience(TokenAudience.USER)
      .setIssuedAt()
      .setExpirationTime(`${this.ttl.userTokenTtlSeconds}s`)
      .sign(await this.key)
  }

  /** The user, or `undefined` for a token that is malformed, forged, expired or not a user token. */
  async verifyUserToken(token: string): Promise<User | undefined> {
    try {
      const { payload } = await jwtVerify(token, await this.key, { algorithms: [ALGORITHM], audience: TokenAudience.USER })
      const claims = UserTokenClaims.safeParse(payload)
      return claims.success ? { id: claims.data.sub, username: claims.data.username } : undefined
    } catch {
      return undefined
    }
  }

  async signRoomToken(claims: RoomTokenClaims): Promise<string> {
    const { sub, ...rest } = RoomTokenClaims.parse(claims)
    return new SignJWT(rest)
      .setProtectedHeader({ alg: ALGORITHM })
      .setSubject(sub)
      .setAudience(TokenAudience.ROOM)
      .setIssuedAt()
      .setExpirationTime(`${this.ttl.roomTokenTtlSeconds}s`)
      .sign(await this.key)
  }
}
