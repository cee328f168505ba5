/**
 * The keys of room tokens. The backend signs them with an EC P-256 private key (ES256) that only
 * it holds; session servers verify them with the public key, which cannot sign anything: not a
 * login, not a token for another server. (User tokens are HS256 with `JWT_SECRET`, which only the
 * backend holds.) Both servers read keys from configuration the same way, hence this module.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { z } from 'zod'

/** The one algorithm a room token may use; a verifier refuses every other (`none`, `HS256`…). */
export const ROOM_TOKEN_ALGORITHM = 'ES256'

/**
 * Key ids of keys that are public in this repository (the test helpers'): production refuses
 * them, like the test secrets in `secretWeakness`.
 */
export const KNOWN_TEST_KEY_IDS: readonly string[] = ['14s2f53cm96ETm_R']

/**
 * A key as configuration holds it: PEM, with real newlines or `\n` escapes, or the PEM in base64
 * on one line (what a `.env` file or a secret store holds most easily).
 */
function pemOf(setting: string): string {
  const text = setting.trim()
  if (text.startsWith('-----BEGIN')) return text.replaceAll('\\n', '\n')
  const decoded = Buffer.from(text, 'base64').toString('utf8').trim()
  if (!decoded.startsWith('-----BEGIN')) throw new Error('must be a PEM key, or a PEM key in base64')
  return decoded
}

function requireP256(key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('must be an EC P-256 key (ES256); generate one with `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`')
  }
  return key
}

/**
 * Reads a key from configuration with `create`; the error names what is wrong with the setting
 * (not PEM, not readable, not P-256) and never echoes it.
 */
function readKey(setting: string, create: (pem: string) => KeyObject, kind: 'private' | 'public'): KeyObject {
  const pem = pemOf(setting)
  let key: KeyObject
  try {
    key = create(pem)
  } catch (error) {
    throw new Error(`is not a readable ${kind} key (PEM)`, { cause: error })
  }
  if (key.type !== kind) throw new Error(`must be a ${kind} key`)
  return requireP256(key)
}

/** @throws Error, with a message fit for a configuration error, when it is not an EC P-256 private key */
export function parseRoomTokenPrivateKey(setting: string): KeyObject {
  return readKey(setting, createPrivateKey, 'private')
}

/** @throws Error, with a message fit for a configuration error, when it is not an EC P-256 public key */
export function parseRoomTokenPublicKey(setting: string): KeyObject {
  return readKey(setting, createPublicKey, 'public')
}

/**
 * A short id of the key pair, from its public key: carried as the `kid` of every room token, so
 * a session server that meets a token of a key it does not hold yet (the backend's key was
 * rotated) knows to fetch the current one.
 */
export function roomTokenKeyId(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url').slice(0, 16)
}

/** The public key as PEM (SPKI), as `GET /internal/room-token-key` serves it. */
export function publicKeyPem(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key
  return publicKey.export({ type: 'spki', format: 'pem' }).toString()
}

/** A configuration setting holding a room-token key, parsed at the edge like every other setting. */
export function roomTokenKeySetting(kind: 'private' | 'public') {
  const parse = kind === 'private' ? parseRoomTokenPrivateKey : parseRoomTokenPublicKey
  return z.string().transform((value, ctx): KeyObject => {
    try {
      return parse(value)
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message })
      return z.NEVER
    }
  })
}
