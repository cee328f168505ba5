import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import pLimit, { type LimitFunction } from 'p-limit'

/**
 * scrypt's cost: OWASP's minimum (Password Storage Cheat Sheet), in the equivalent set that takes
 * the least memory, N=2^14 (16 MiB), r=8, p=5, rather than N=2^17 (128 MiB), r=8, p=1: the same
 * work for an attacker, but a backend container can run a few at once. ~160 ms per hash on the
 * 2-core machines here (N=2^14, p=1 took ~65 ms).
 *
 * Hashes are `scrypt$N$r$p$salt$hash` (base64url), so the parameters travel with each hash:
 * raising them later only affects new hashes, old ones still verify, and a login upgrades its
 * account's hash (`verify` says when).
 */
export const SCRYPT_PARAMS = { N: 2 ** 14, r: 8, p: 5 } as const
const KEY_LENGTH = 32
const SALT_LENGTH = 16
/** Above what the parameters need (128·N·r = 16 MiB); guards against a stored hash asking for more. */
const MAX_MEMORY = 64 * 1024 * 1024
/** Hashes waiting for a free slot beyond which a request is refused (503 `busy`) instead of queued. */
export const MAX_WAITING_HASHES = 64

/** Every slot is busy and the queue is full: refused at once (`503 busy`), not queued further. */
export class HashingBusyError extends Error {
  override name = 'HashingBusyError'
  constructor() {
    super('too many password checks at once; try again in a moment')
  }
}

export type Verification = { valid: false } | { valid: true; /** A hash with the current parameters, when the stored one has older ones. */ upgraded?: string }

/**
 * Hashes and checks passwords, at most `maxConcurrent` at once (`MAX_CONCURRENT_PASSWORD_HASHES`),
 * with at most `MAX_WAITING_HASHES` waiting: each hash takes 16 MiB and a thread of libuv's pool
 * (shared with file and DNS work) for ~160 ms, so a crowd of logins must queue, and past the queue
 * be turned away, rather than exhaust memory and CPU for everyone.
 */
export class PasswordHasher {
  private readonly limit: LimitFunction
  private dummy: Promise<string> | undefined

  constructor(
    maxConcurrent: number,
    private readonly maxWaiting = MAX_WAITING_HASHES,
  ) {
    this.limit = pLimit(maxConcurrent)
  }

  /** @throws HashingBusyError */
  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_LENGTH)
    const key = await this.run(password, salt, SCRYPT_PARAMS)
    return ['scrypt', SCRYPT_PARAMS.N, SCRYPT_PARAMS.r, SCRYPT_PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$')
  }

  /**
   * Whether `password` matches `stored`; with `stored` undefined (no such user) a dummy hash is
   * checked instead, so "no such user" takes as long as "wrong password" and the response time
   * does not reveal which accounts exist.
   * @throws HashingBusyError
   */
  async verify(password: string, stored: string | undefined): Promise<Verification> {
    const [scheme, n, r, p, salt, hash] = (stored ?? (await this.dummyHash())).split('$')
    if (scheme !== 'scrypt' || !salt || !hash) return { valid: false }
    const params = { N: Number(n), r: Number(r), p: Number(p) }
    const expected = Buffer.from(hash, 'base64url')
    const actual = await this.run(password, Buffer.from(salt, 'base64url'), params)
    if (stored === undefined || actual.length !== expected.length || !timingSafeEqual(actual, expected)) return { valid: false }
    const current = params.N === SCRYPT_PARAMS.N && params.r === SCRYPT_PARAMS.r && params.p === SCRYPT_PARAMS.p
    if (current) return { valid: true }
    try {
      return { valid: true, upgraded: await this.hash(password) }
    } catch (error) {
      // A busy moment must not fail a login whose password was right: the next login upgrades.
      if (error instanceof HashingBusyError) return { valid: true }
      throw error
    }
  }

  private dummyHash(): Promise<string> {
    this.dummy ??= this.hash(randomBytes(16).toString('base64url'))
    return this.dummy
  }

  private run(password: string, salt: Buffer, params: ScryptOptions): Promise<Buffer> {
    if (this.limit.pendingCount >= this.maxWaiting) return Promise.reject(new HashingBusyError())
    // The callback form runs on libuv's thread pool; scryptSync would block every other request.
    return this.limit(
      () =>
        new Promise<Buffer>((resolve, reject) =>
          scrypt(password, salt, KEY_LENGTH, { ...params, maxmem: MAX_MEMORY }, (error, key) => (error ? reject(error) : resolve(key))),
        ),
    )
  }
}
