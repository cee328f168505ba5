import type { z } from 'zod'

/**
 * Why a secret is too weak for production, or `undefined` when it will do. Shared by the backend
 * and the session servers: both refuse to start with `NODE_ENV=production` and a weak
 * `JWT_SECRET` or `SERVICE_TOKEN`, because an HS256 key or a bearer token someone can guess hands
 * them every account and every room.
 *
 * @example
 * secretWeakness('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa') // 'has fewer than 10 distinct characters'
 */
export function secretWeakness(secret: string | undefined): string | undefined {
  if (secret === undefined || secret === '') return 'is required in production'
  if (secret.length < MIN_SECRET_LENGTH) return `must be at least ${MIN_SECRET_LENGTH} characters`
  if (new Set(secret).size < MIN_DISTINCT_CHARACTERS) return `has fewer than ${MIN_DISTINCT_CHARACTERS} distinct characters`
  const lower = secret.toLowerCase()
  if (KNOWN_WEAK_VALUES.has(secret) || PLACEHOLDER_WORDS.some((word) => lower.includes(word))) {
    return 'is a known development, test or placeholder value; generate one with `openssl rand -base64 32`'
  }
  return undefined
}

export const MIN_SECRET_LENGTH = 32
export const MIN_DISTINCT_CHARACTERS = 10

/** The test helpers' fixed secrets (`testing.ts`), which are public in this repository. */
const KNOWN_WEAK_VALUES = new Set([
  'test-jwt-secret-0123456789abcdef0123456789',
  'test-service-token-0123456789abcdef01234567',
])

/**
 * Words of placeholders people paste from examples. Long enough that a random base64 secret
 * practically never contains one by chance.
 */
const PLACEHOLDER_WORDS = ['changeme', 'change-me', 'change_me', 'example', 'password', 'secret', 'placeholder', 'test-', 'dev-', '0123456789', 'abcdefghij']

/** The shared secrets a server's configuration holds, as its schema names them (the session servers hold no `JWT_SECRET`). */
export interface SharedSecrets {
  NODE_ENV: string
  JWT_SECRET?: string | undefined
  SERVICE_TOKEN: string
}

/**
 * Both servers' production check of their secrets, as a zod `superRefine`: each one present must
 * pass `secretWeakness`, and `JWT_SECRET` and `SERVICE_TOKEN` must differ (one leaked value must
 * not be both keys).
 *
 * @example EnvSchema.superRefine(refineSharedSecrets)
 */
export function refineSharedSecrets(env: SharedSecrets, ctx: z.RefinementCtx): void {
  if (env.NODE_ENV !== 'production') return
  for (const name of ['JWT_SECRET', 'SERVICE_TOKEN'] as const) {
    if (name === 'JWT_SECRET' && !('JWT_SECRET' in env)) continue
    const weakness = secretWeakness(env[name])
    if (weakness) ctx.addIssue({ code: 'custom', path: [name], message: weakness })
  }
  if (env.JWT_SECRET !== undefined && env.JWT_SECRET === env.SERVICE_TOKEN) {
    ctx.addIssue({ code: 'custom', path: ['SERVICE_TOKEN'], message: 'must differ from JWT_SECRET' })
  }
}
