import { createPublicKey, type KeyObject } from 'node:crypto'
import { publicKeyPem, roomTokenKeyId, type RoomTokenKeyResponse } from '@scalable-chat/backend-contract/internal'
import { pino } from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { KEY_REFRESH_MIN_INTERVAL_MS, RoomTokenVerifier } from '../src/auth/RoomTokenVerifier.js'
import type { BackendResult } from '../src/backendApi/BackendApi.js'
import { forgerKey, signRoomToken, TEST_KEY } from './helpers/roomTokens.js'

const HOST = 'session-1:8000'
const CLAIMS = { sub: 'u1', username: 'ana', roomId: 'abcdefghijkl', host: HOST, epoch: 1 }

/** A verifier whose backend answers with `current.key`'s public half, counting the fetches. */
function makeVerifier(initial: KeyObject | undefined) {
  const backend = { key: TEST_KEY as KeyObject | undefined, fetches: 0 }
  const verifier = new RoomTokenVerifier({
    publicHost: HOST,
    key: initial && createPublicKey(initial),
    fetchKey: async (): Promise<BackendResult<RoomTokenKeyResponse>> => {
      backend.fetches++
      if (!backend.key) return { ok: false, reason: 'unavailable', detail: 'down' }
      return { ok: true, value: { keyId: roomTokenKeyId(backend.key), publicKey: publicKeyPem(backend.key) } }
    },
    logger: pino({ level: 'silent' }),
  })
  return { verifier, backend }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('RoomTokenVerifier', () => {
  it('fetches the key at the first token when none is configured, then verifies without asking again', async () => {
    const { verifier, backend } = makeVerifier(undefined)
    expect(await verifier.verify(await signRoomToken(CLAIMS))).toEqual({ ok: true, claims: { ...CLAIMS, readSeq: 0 } }) // no readSeq (an older backend's token) reads as 0
    expect(await verifier.verify(await signRoomToken(CLAIMS))).toMatchObject({ ok: true })
    expect(backend.fetches).toBe(1)
  })

  it('says no_key (not "invalid") while the backend cannot give the key', async () => {
    const { verifier, backend } = makeVerifier(undefined)
    backend.key = undefined
    expect(await verifier.verify(await signRoomToken(CLAIMS))).toEqual({ ok: false, reason: 'no_key' })
  })

  it('follows a rotated key: a token naming a key it does not hold makes it fetch the current one', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { verifier, backend } = makeVerifier(TEST_KEY)
    const rotated = forgerKey()
    backend.key = rotated
    vi.advanceTimersByTime(KEY_REFRESH_MIN_INTERVAL_MS)
    expect(await verifier.verify(await signRoomToken(CLAIMS, { key: rotated }))).toMatchObject({ ok: true })
    expect(backend.fetches).toBe(1)
    // The old key's tokens no longer verify: the backend signs with the new one only.
    expect(await verifier.verify(await signRoomToken(CLAIMS))).toEqual({ ok: false, reason: 'invalid' })
  })

  it('asks the backend at most once per interval however many made-up key ids arrive, and refuses them all', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { verifier, backend } = makeVerifier(TEST_KEY)
    const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) => signRoomToken(CLAIMS, { key: forgerKey(), kid: `made-up-${i}` })))
    const verdicts = await Promise.all(tokens.map((token) => verifier.verify(token)))
    expect(verdicts.every((v) => !v.ok && v.reason === 'invalid')).toBe(true)
    expect(backend.fetches).toBe(1)
    vi.advanceTimersByTime(KEY_REFRESH_MIN_INTERVAL_MS)
    await verifier.verify(tokens[0]!)
    expect(backend.fetches).toBe(2)
  })

  it('remembers a verified token only until it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { verifier } = makeVerifier(TEST_KEY)
    const token = await signRoomToken(CLAIMS, { expiresAt: Math.floor(Date.now() / 1000) + 60 })
    expect(await verifier.verify(token)).toMatchObject({ ok: true })
    expect(await verifier.verify(token)).toMatchObject({ ok: true })
    vi.advanceTimersByTime(61_000)
    expect(await verifier.verify(token)).toEqual({ ok: false, reason: 'invalid' })
  })

  it('forgets what it verified when the key changes', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { verifier, backend } = makeVerifier(TEST_KEY)
    const before = await signRoomToken(CLAIMS)
    expect(await verifier.verify(before)).toMatchObject({ ok: true })
    const rotated = forgerKey()
    backend.key = rotated
    vi.advanceTimersByTime(KEY_REFRESH_MIN_INTERVAL_MS)
    expect(await verifier.verify(await signRoomToken(CLAIMS, { key: rotated }))).toMatchObject({ ok: true })
    expect(await verifier.verify(before)).toEqual({ ok: false, reason: 'invalid' })
  })

  it('refuses a token for another host', async () => {
    const { verifier } = makeVerifier(TEST_KEY)
    expect(await verifier.verify(await signRoomToken({ ...CLAIMS, host: 'elsewhere:1' }))).toEqual({ ok: false, reason: 'invalid' })
  })
})
