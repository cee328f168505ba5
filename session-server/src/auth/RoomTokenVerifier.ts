import type { KeyObject } from 'node:crypto'
import jwt from 'jsonwebtoken'
import { LRUCache } from 'lru-cache'
import {
  parseRoomTokenPublicKey,
  ROOM_TOKEN_ALGORITHM,
  RoomTokenClaims,
  roomTokenKeyId,
  TokenAudience,
  type RoomTokenKeyResponse,
} from '@scalable-chat/backend-contract/internal'
import type { BackendResult } from '../backendApi/BackendApi.js'
import type { Logger } from '../logger.js'

/** A token naming a key this server does not hold makes it ask the backend, at most this often. */
export const KEY_REFRESH_MIN_INTERVAL_MS = 10_000
/**
 * Verified tokens remembered until they expire (about a kilobyte each, the token included). What
 * the cache is for, a client reconnecting in a loop with one token, needs one entry; a client
 * following the protocol re-joins (a new token) for every reconnect. 10,000 held ~10 MB.
 */
export const VERIFIED_TOKENS_CACHED = 1_000

export type Verdict =
  | { ok: true; claims: RoomTokenClaims }
  /** Forged, expired, for another audience or another host, or not ES256: the reason is never useful to a client. */
  | { ok: false; reason: 'invalid' }
  /** This server holds no key yet (the backend has not answered): it cannot tell, and is not ready. */
  | { ok: false; reason: 'no_key' }

export interface RoomTokenVerifierOptions {
  /** This server's address: a token for another host is refused. */
  publicHost: string
  /** `ROOM_TOKEN_PUBLIC_KEY`, when configured; otherwise the key is fetched. */
  key?: KeyObject | undefined
  /** `GET /internal/room-token-key`: at the first handshake, and when a token names another key (rotation). */
  fetchKey?: () => Promise<BackendResult<RoomTokenKeyResponse>>
  logger: Logger
}

/**
 * Verifies room tokens with the backend's PUBLIC key: ES256 and nothing else (a token signed
 * with `none`, or HS256 with the public key as its secret, is refused), expiry, the room audience
 * (so a user token is refused), the claims' shape, and that the token was minted for THIS server
 * (a token for another host means the client has a stale route). The public key can verify but
 * never sign, so no session server, least of all one a third party runs, can mint a token.
 *
 * The key comes from configuration or from the backend; a token whose `kid` is not the key held
 * makes the verifier fetch the backend's current key (at most once per
 * `KEY_REFRESH_MIN_INTERVAL_MS`, one request however many handshakes ask), so a rotated key is
 * picked up without a restart and made-up key ids cannot flood the backend.
 *
 * A verified token is remembered until it expires: a token is reused for every reconnect within
 * its lifetime, and a script reconnecting in a loop with one (to be refused by its user's connect
 * rate) must not cost an ECDSA verification, ~70 µs, each time.
 */
export class RoomTokenVerifier {
  private key: { key: KeyObject; id: string } | undefined
  private refreshing: Promise<void> | undefined
  private lastRefreshAt = -Infinity
  private readonly verified = new LRUCache<string, { claims: RoomTokenClaims; expiresAt: number }>({ max: VERIFIED_TOKENS_CACHED })

  constructor(private readonly options: RoomTokenVerifierOptions) {
    if (options.key) this.key = { key: options.key, id: roomTokenKeyId(options.key) }
  }

  get hasKey(): boolean {
    return this.key !== undefined
  }

  async verify(token: string): Promise<Verdict> {
    const remembered = this.verified.get(token)
    if (remembered !== undefined) {
      if (remembered.expiresAt > Date.now()) return { ok: true, claims: remembered.claims }
      this.verified.delete(token)
    }
    const keyId = keyIdOf(token)
    if (this.key === undefined || (keyId !== undefined && keyId !== this.key.id)) await this.refresh()
    if (this.key === undefined) return { ok: false, reason: 'no_key' }
    let payload: unknown
    try {
      payload = jwt.verify(token, this.key.key, { algorithms: [ROOM_TOKEN_ALGORITHM], audience: TokenAudience.ROOM })
    } catch {
      return { ok: false, reason: 'invalid' }
    }
    const claims = RoomTokenClaims.safeParse(payload)
    const exp = (payload as { exp?: unknown }).exp
    if (!claims.success || claims.data.host !== this.options.publicHost || typeof exp !== 'number') {
      return { ok: false, reason: 'invalid' }
    }
    this.verified.set(token, { claims: claims.data, expiresAt: exp * 1000 })
    return { ok: true, claims: claims.data }
  }

  /** Fetches the backend's current key, unless it was fetched recently or a fetch is under way. */
  refresh(): Promise<void> {
    const fetchKey = this.options.fetchKey
    if (fetchKey === undefined) return Promise.resolve()
    if (this.refreshing) return this.refreshing
    if (Date.now() - this.lastRefreshAt < KEY_REFRESH_MIN_INTERVAL_MS) return Promise.resolve()
    this.lastRefreshAt = Date.now()
    this.refreshing = fetchKey()
      .then((result) => {
        if (!result.ok) {
          this.options.logger.warn({ reason: result.reason }, 'could not fetch the room-token key')
          return
        }
        const key = parseRoomTokenPublicKey(result.value.publicKey)
        const id = roomTokenKeyId(key)
        if (id !== this.key?.id) {
          this.options.logger.info({ keyId: id }, 'room-token key loaded')
          // Tokens of a replaced key are not taken on memory's word.
          this.verified.clear()
        }
        this.key = { key, id }
      })
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'the backend answered an unusable room-token key'))
      .finally(() => {
        this.refreshing = undefined
      })
    return this.refreshing
  }
}

/** The token's `kid` header, without verifying anything (it only chooses which key to verify with). */
function keyIdOf(token: string): string | undefined {
  const decoded = jwt.decode(token, { complete: true })
  const kid = decoded?.header.kid
  return typeof kid === 'string' ? kid : undefined
}
