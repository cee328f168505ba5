import { createSecretKey, type KeyObject } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import { z } from 'zod'
import type { User } from '@scalable-chat/backend-contract'
import { ROOM_TOKEN_ALGORITHM, RoomTokenClaims, roomTokenKeyId, TokenAudience } from '@scalable-chat/backend-contract/internal'
import { jwtSigner, jwtVerifier } from './jwt.js'

const UserTokenClaims = z.object({
  sub: z.string().min(1),
  username: z.string().min(1),
  /** Only in a guest's token: the one room it may use. */
  guestRoomId: z.string().min(1).optional(),
  exp: z.number(),
})

/** Whom a user token speaks for: the user and, for a guest, the one room it may use. */
export interface TokenHolder {
  user: User
  guestRoomId: string | undefined
  /** A guest's end of access (its token's `exp`, seconds since the epoch): its room tokens end by then too. */
  guestExpiresAt: number | undefined
}

/**
 * User tokens remembered as verified; the least recently used are verified again first. A person's
 * client sends the same token with every request (each join, each reconnect), and a reconnect storm
 * sends thousands of them a second.
 */
export const VERIFIED_TOKEN_CACHE_MAX = 10_000

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
  private readonly roomTokenTtlSeconds: number
  /**
   * Tokens that verified, with whom they speak for. A token's validity depends on nothing but its
   * bytes, the secret and the clock (user tokens are never revoked: they end at `exp`, a guest's
   * when its access does), so a remembered answer stays right until `exp`, which every hit
   * checks. Only tokens that verified are kept: garbage cannot fill it.
   */
  private readonly verified = new LRUCache<string, TokenHolder & { exp: number }>({ max: VERIFIED_TOKEN_CACHE_MAX })

  constructor(keys: TokenKeys) {
    const secret = createSecretKey(Buffer.from(keys.jwtSecret))
    this.signUser = jwtSigner(secret, { algorithm: 'HS256', audience: TokenAudience.USER, ttlSeconds: keys.userTokenTtlSeconds })
    this.verifyUser = jwtVerifier(secret, { algorithm: 'HS256', audience: TokenAudience.USER })
    this.roomTokenTtlSeconds = keys.roomTokenTtlSeconds
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

  /**
   * A guest's token: names its room, and expires when the guest's access ends (`expiresAt`, ISO
   * 8601), not `userTokenTtlSeconds` after now; a guest has no password, so nothing renews it.
   */
  signGuestToken(guest: { id: string; username: string; roomId: string; expiresAt: string }): string {
    return this.signUser({ sub: guest.id, username: guest.username, guestRoomId: guest.roomId, exp: Math.floor(Date.parse(guest.expiresAt) / 1000) })
  }

  /**
   * Whom the token speaks for, or `undefined` for a token that is malformed, forged, expired or not
   * a user token. Verified once, then answered from memory until it expires (`verified`). Each call
   * answers objects of its own: callers may keep or change them.
   */
  verifyUserToken(token: string): TokenHolder | undefined {
    let known = this.verified.get(token)
    if (known === undefined) {
      const claims = UserTokenClaims.safeParse(this.verifyUser(token))
      if (!claims.success) return undefined
      const { sub, username, guestRoomId, exp } = claims.data
      known =
        guestRoomId === undefined
          ? { user: { id: sub, username }, guestRoomId: undefined, guestExpiresAt: undefined, exp }
          : { user: { id: sub, username, guest: true }, guestRoomId, guestExpiresAt: exp, exp }
      this.verified.set(token, known)
    }
    // jsonwebtoken's rule: expired from the second `exp` names on.
    if (Math.floor(Date.now() / 1000) >= known.exp) {
      this.verified.delete(token)
      return undefined
    }
    return { user: { ...known.user }, guestRoomId: known.guestRoomId, guestExpiresAt: known.guestExpiresAt }
  }

  /**
   * Claims with a default (`readSeq`) may be left out. `notAfter` (seconds since the epoch): a
   * guest's end of access, which its room token does not outlive (it would otherwise open a socket
   * up to `roomTokenTtlSeconds` after the guest is gone).
   */
  signRoomToken(claims: z.input<typeof RoomTokenClaims>, notAfter?: number): string {
    const parsed = RoomTokenClaims.parse(claims)
    if (notAfter === undefined) return this.signRoom(parsed)
    return this.signRoom({ ...parsed, exp: Math.min(notAfter, Math.floor(Date.now() / 1000) + this.roomTokenTtlSeconds) })
  }
}
