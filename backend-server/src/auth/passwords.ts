import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

/**
 * Password hashes are `scrypt$N$r$p$salt$hash` (base64url), so the cost parameters travel with
 * each hash: raising them later only affects new hashes, and old ones still verify.
 */
const PARAMS = { N: 16_384, r: 8, p: 1 } as const
const KEY_LENGTH = 32
const SALT_LENGTH = 16

function scryptAsync(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  // The callback form runs on libuv's thread pool; scryptSync would block every other request.
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LENGTH, { ...options, maxmem: 64 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  )
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH)
  const key = await scryptAsync(password, salt, PARAMS)
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$')
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !hash) return false
  const expected = Buffer.from(hash, 'base64url')
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) })
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

/**
 * Verified against when the username does not exist, so "no such user" takes as long as "wrong
 * password" and the response time does not reveal which accounts exist.
 */
export const DUMMY_PASSWORD_HASH = await hashPassword(randomBytes(16).toString('base64url'))
