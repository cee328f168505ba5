import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { Password, replaceLoneSurrogates, RoomName, Username, USERNAME_RULE } from '../src/index.js'
import {
  CommitRequest,
  MAX_COMMIT_BODY_BYTES,
  MAX_COMMIT_MESSAGES,
  MAX_STORED_TEXT_LENGTH,
  NewMessage,
  refineSharedSecrets,
  requestIdFrom,
  secretMatcher,
  secretWeakness,
  SessionServerAddress,
} from '../src/internal/index.js'

const strong = () => randomBytes(32).toString('base64')

describe('SessionServerAddress', () => {
  it.each(['localhost:8000', '10.0.0.7:8001', '[::1]:8000', 'ws://localhost:8090/s/abc', 'wss://chat.example.com/s/session-3'])('accepts %s', (address) => {
    expect(SessionServerAddress.safeParse(address).success).toBe(true)
  })
  it.each(['https://chat.example.com', 'wss://chat.example.com/s/1?x=1', 'wss://chat.example.com/#a', 'wss://user:pw@host/s', 'host name', ''])('refuses %s', (address) => {
    expect(SessionServerAddress.safeParse(address).success).toBe(false)
  })
})

describe('secretWeakness', () => {
  it('accepts a thousand freshly generated secrets (no false positives)', () => {
    for (let i = 0; i < 1000; i++) expect(secretWeakness(strong())).toBeUndefined()
  })
  it.each([
    ['', 'is required in production'],
    ['Ab1'.repeat(5), 'must be at least 32 characters'],
    ['abcabcabc'.repeat(4), 'has fewer than 10 distinct characters'],
    [`changeme-${'Zx9#'.repeat(10)}`, 'is a known development, test or placeholder value; generate one with `openssl rand -base64 32`'],
  ])('refuses %j: %s', (secret, reason) => {
    expect(secretWeakness(secret)).toBe(reason)
  })
})

describe('refineSharedSecrets', () => {
  const Env = z.object({ NODE_ENV: z.string(), JWT_SECRET: z.string(), SERVICE_TOKEN: z.string() }).superRefine(refineSharedSecrets)
  it('in production, refuses one value for both secrets, naming SERVICE_TOKEN', () => {
    const same = strong()
    const result = Env.safeParse({ NODE_ENV: 'production', JWT_SECRET: same, SERVICE_TOKEN: same })
    expect(result.error?.issues.map((i) => [i.path[0], i.message])).toEqual([['SERVICE_TOKEN', 'must differ from JWT_SECRET']])
  })
  it('does NOT check anything outside production', () => {
    expect(Env.safeParse({ NODE_ENV: 'development', JWT_SECRET: 'x', SERVICE_TOKEN: 'x' }).success).toBe(true)
  })
})

describe('secretMatcher', () => {
  it('matches the secret only, whatever else it is given', () => {
    const isSecret = secretMatcher('s3cret')
    expect(isSecret('s3cret')).toBe(true)
    for (const other of [undefined, '', 's3cre', 's3cret ', 'S3CRET']) expect(isSecret(other)).toBe(false)
  })
})

describe('requestIdFrom', () => {
  it('keeps an incoming id that looks like one, and makes a uuid otherwise', () => {
    expect(requestIdFrom('lb-4f2a.17')).toBe('lb-4f2a.17')
    for (const bad of [undefined, ['a', 'b'], 'has space', 'x'.repeat(129), 'new\nline']) {
      expect(requestIdFrom(bad)).toMatch(/^[0-9a-f-]{36}$/)
    }
  })
})

describe('the input rules', () => {
  it('are what the schemas enforce, so a client checking with the rules agrees with the backend', () => {
    const { minLength, maxLength } = USERNAME_RULE
    expect(Username.safeParse('a'.repeat(minLength)).success).toBe(true)
    expect(Username.safeParse('a'.repeat(minLength - 1)).success).toBe(false)
    expect(Username.safeParse('a'.repeat(maxLength + 1)).success).toBe(false)
    expect(Username.safeParse('ana maria').success).toBe(USERNAME_RULE.pattern.test('ana maria'))
    expect(Password.safeParse('x'.repeat(7)).success).toBe(false)
  })
  it('clean room names: control characters out, lone surrogates replaced, trimmed', () => {
    expect(RoomName.parse('  Team\u0007 \ud800 ')).toBe('Team \ufffd')
    expect(replaceLoneSurrogates('a\udc00b\ud83d\ude00')).toBe('a\ufffdb\ud83d\ude00')
  })
})

describe('MAX_COMMIT_BODY_BYTES', () => {
  it('holds the largest legal commit, however its text is spelled', () => {
    // The most bytes per UTF-16 unit a stored text can take: 3-byte BMP characters, a quote (2
    // escaped), a newline (2 escaped); characters outside the BMP take 4 bytes for 2 units.
    const texts = ['€'.repeat(MAX_STORED_TEXT_LENGTH), '"'.repeat(MAX_STORED_TEXT_LENGTH), '😀'.repeat(MAX_STORED_TEXT_LENGTH / 2)]
    for (const text of texts) {
      const request = CommitRequest.parse({
        host: 'h'.repeat(512),
        epoch: Number.MAX_SAFE_INTEGER,
        afterSeq: Number.MAX_SAFE_INTEGER,
        // Edits: a message's fields and a target seq, the largest entry.
        entries: Array.from({ length: MAX_COMMIT_MESSAGES }, (_, i) => ({
          kind: 'edit',
          target: Number.MAX_SAFE_INTEGER,
          id: '018f3a2b-7c4d-4e5f-8a9b-0c1d2e3f4a5b',
          clientId: `${'x'.repeat(60)}${String(i).padStart(4, '0')}`,
          userId: 'u'.repeat(64),
          username: 'n'.repeat(USERNAME_RULE.maxLength),
          text,
          createdAt: '2026-11-30T21:40:00.123456789Z',
        })),
      })
      expect(Buffer.byteLength(JSON.stringify(request))).toBeLessThanOrEqual(MAX_COMMIT_BODY_BYTES)
    }
  })
  it('refuses what would not fit: a clientId or username outside their ASCII alphabets', () => {
    const message = { kind: 'message', id: '018f3a2b-7c4d-4e5f-8a9b-0c1d2e3f4a5b', clientId: 'c-1', userId: 'u', username: 'ada', text: 'hi', createdAt: '2026-11-30T21:40:00Z' }
    expect(NewMessage.safeParse(message).success).toBe(true)
    expect(NewMessage.safeParse({ ...message, clientId: '\u0000'.repeat(64) }).success).toBe(false)
    expect(NewMessage.safeParse({ ...message, username: '"é"' }).success).toBe(false)
  })
})
