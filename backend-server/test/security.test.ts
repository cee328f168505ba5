import { spawn } from 'node:child_process'
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'
import { startTestBackend, TEST_JWT_SECRET, TEST_ROOM_TOKEN_PRIVATE_KEY, TEST_SERVICE_TOKEN, type TestBackend } from '../src/testing/index.js'
import { registerUser } from './helpers.js'

const strong = () => randomBytes(32).toString('base64')
const freshKey = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
const production = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'production', ROOM_TOKEN_PRIVATE_KEY: freshKey(), ...env })

describe('production secrets', () => {
  it('refuses to start without, or with a short, repetitive, known or shared JWT_SECRET / SERVICE_TOKEN, naming the variable', () => {
    const service = strong()
    expect(() => production({ SERVICE_TOKEN: service })).toThrow(/^JWT_SECRET: is required$/)
    expect(() => production({ JWT_SECRET: strong() })).toThrow(/^SERVICE_TOKEN: is required$/)
    expect(() => production({ JWT_SECRET: 'Ab1'.repeat(5), SERVICE_TOKEN: service })).toThrow(/^JWT_SECRET: must be at least 32/)
    expect(() => production({ JWT_SECRET: 'abcabcabc'.repeat(4), SERVICE_TOKEN: service })).toThrow(/^JWT_SECRET: has fewer than 10 distinct/)
    expect(() => production({ JWT_SECRET: TEST_JWT_SECRET, SERVICE_TOKEN: service })).toThrow(/^JWT_SECRET: is a known/)
    expect(() => production({ JWT_SECRET: strong(), SERVICE_TOKEN: TEST_SERVICE_TOKEN })).toThrow(/^SERVICE_TOKEN: is a known/)
    expect(() => production({ JWT_SECRET: `changeme-${strong()}`, SERVICE_TOKEN: service })).toThrow(/^JWT_SECRET: is a known/)
    expect(() => production({ JWT_SECRET: service, SERVICE_TOKEN: service })).toThrow(/^SERVICE_TOKEN: must differ from JWT_SECRET$/)
    expect(production({ JWT_SECRET: strong(), SERVICE_TOKEN: service }).production).toBe(true)
    // Development keeps accepting the test values.
    expect(loadConfig({ JWT_SECRET: TEST_JWT_SECRET, SERVICE_TOKEN: TEST_SERVICE_TOKEN }).production).toBe(false)
  })

  it('refuses a missing room-token key, the test key, or a key that is not EC P-256; takes a PEM or a base64 PEM', () => {
    const secrets = { JWT_SECRET: strong(), SERVICE_TOKEN: strong() }
    expect(() => loadConfig({ NODE_ENV: 'production', ...secrets })).toThrow(/^ROOM_TOKEN_PRIVATE_KEY: is required in production$/)
    expect(() => production({ ...secrets, ROOM_TOKEN_PRIVATE_KEY: TEST_ROOM_TOKEN_PRIVATE_KEY })).toThrow(/^ROOM_TOKEN_PRIVATE_KEY: is the test helpers' public key/)
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    expect(() => production({ ...secrets, ROOM_TOKEN_PRIVATE_KEY: rsa })).toThrow(/^ROOM_TOKEN_PRIVATE_KEY: must be an EC P-256 key/)
    expect(() => production({ ...secrets, ROOM_TOKEN_PRIVATE_KEY: 'not a key' })).toThrow(/^ROOM_TOKEN_PRIVATE_KEY: must be a PEM key/)
    const pem = freshKey()
    expect(production({ ...secrets, ROOM_TOKEN_PRIVATE_KEY: Buffer.from(pem).toString('base64') }).roomTokenKeyGenerated).toBe(false)
    expect(production({ ...secrets, ROOM_TOKEN_PRIVATE_KEY: pem.replaceAll('\n', '\\n') }).roomTokenKeyGenerated).toBe(false)
    // Development makes one up.
    expect(loadConfig({ JWT_SECRET: TEST_JWT_SECRET, SERVICE_TOKEN: TEST_SERVICE_TOKEN }).roomTokenKeyGenerated).toBe(true)
  })

  it('makes the process exit 1 with one line naming the variable', async () => {
    const main = fileURLToPath(new URL('../src/main.ts', import.meta.url))
    const child = spawn(process.execPath, ['--import', 'tsx', main], {
      env: { PATH: process.env.PATH, NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), SERVICE_TOKEN: strong() },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    expect(code).toBe(1)
    expect(stderr.trim()).toBe('JWT_SECRET: has fewer than 10 distinct characters')
  })
})

describe('login brute-force protection', () => {
  let backend: TestBackend
  beforeAll(async () => {
    backend = await startTestBackend({
      sessionServerHosts: ['127.0.0.1:1'],
      overrides: { loginMaxFailuresPerUsernameAndIp: 3, loginMaxFailuresPerIp: 1_000_000, trustProxy: 'loopback' },
    })
  })
  afterAll(() => backend.close())
  const login = (username: string, password: string, ip = '192.0.2.10') =>
    request(backend.url).post('/api/login').set('x-forwarded-for', ip).send({ username, password })

  it('blocks a username from the address that keeps failing (429, Retry-After), even with the right password, and no one else', async () => {
    const { user } = await registerUser(backend, 'victim')
    const other = await registerUser(backend, 'bystander')
    for (let i = 0; i < 3; i++) expect((await login(user.username, `wrong-${i}-password`)).status).toBe(401)
    const blocked = await login(user.username.toUpperCase(), 'correct horse')
    expect(blocked.status).toBe(429)
    expect(blocked.body.error.code).toBe('rate_limited')
    const retryAfter = Number(blocked.headers['retry-after'])
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(backend.config.loginFailureWindowSeconds)
    expect((await login(other.user.username, 'correct horse')).status).toBe(200)
  })

  it('cannot be used to lock someone out: a stranger\'s failures elsewhere leave the owner signing in', async () => {
    const { user } = await registerUser(backend, 'owner')
    for (let i = 0; i < 20; i++) await login(user.username, `guess-${i}-password`, '203.0.113.66')
    expect((await login(user.username, 'correct horse', '203.0.113.66')).status).toBe(429)
    expect((await login(user.username, 'correct horse', '198.51.100.23')).status).toBe(200)
  })

  it('forgives earlier failures after a successful login', async () => {
    const { user } = await registerUser(backend, 'typo')
    for (let i = 0; i < 2; i++) expect((await login(user.username, 'wrong password')).status).toBe(401)
    expect((await login(user.username, 'correct horse')).status).toBe(200)
    for (let i = 0; i < 2; i++) expect((await login(user.username, 'wrong password')).status).toBe(401)
    expect((await login(user.username, 'correct horse')).status).toBe(200)
  })

  it('blocks an IP that tries many usernames, keyed by the proxy-reported IP when TRUST_PROXY trusts the proxy', async () => {
    const perIp = await startTestBackend({
      sessionServerHosts: ['127.0.0.1:1'],
      overrides: { loginMaxFailuresPerIp: 3, trustProxy: 'loopback' },
    })
    try {
      const { user } = await registerUser(perIp, 'real')
      const attempt = (username: string, ip: string, password = 'wrong password') =>
        request(perIp.url).post('/api/login').set('x-forwarded-for', ip).send({ username, password })
      for (let i = 0; i < 3; i++) expect((await attempt(`guess_${i}`, '203.0.113.7')).status).toBe(401)
      const blocked = await attempt(user.username, '203.0.113.7', 'correct horse')
      expect(blocked.status).toBe(429)
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0)
      // Another client behind the same proxy is not affected.
      expect((await attempt(user.username, '198.51.100.9', 'correct horse')).status).toBe(200)
    } finally {
      await perIp.close()
    }
  })

  it('ignores X-Forwarded-For without TRUST_PROXY, so a client cannot dodge the limit by inventing addresses', async () => {
    const direct = await startTestBackend({ sessionServerHosts: ['127.0.0.1:1'], overrides: { authRateLimitPerMinute: 2 } })
    try {
      const attempt = (ip: string) =>
        request(direct.url).post('/api/login').set('x-forwarded-for', ip).send({ username: 'nobody_y', password: 'password123' })
      expect((await attempt('192.0.2.1')).status).toBe(401)
      expect((await attempt('192.0.2.2')).status).toBe(401)
      expect((await attempt('192.0.2.3')).status).toBe(429)
    } finally {
      await direct.close()
    }
  })
})

describe('HTTP hardening', () => {
  let backend: TestBackend
  beforeAll(async () => {
    backend = await startTestBackend({ sessionServerHosts: ['127.0.0.1:1'] })
  })
  afterAll(() => backend.close())

  it('sends security headers on every response and no X-Powered-By', async () => {
    for (const res of [await request(backend.url).get('/healthz'), await request(backend.url).get('/api/me')]) {
      expect(res.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'")
      expect(res.headers['x-content-type-options']).toBe('nosniff')
      expect(res.headers['x-frame-options']).toBe('DENY')
      expect(res.headers['referrer-policy']).toBe('no-referrer')
      expect(res.headers['cache-control']).toBe('no-store')
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/)
      expect(res.headers['x-powered-by']).toBeUndefined()
    }
  })

  it('does not send CORS headers to a foreign origin on a real request either', async () => {
    const res = await request(backend.url).post('/api/login').set('origin', 'https://evil.example').send({ username: 'abc', password: 'password123' })
    expect(res.headers['access-control-allow-origin']).toBeUndefined()
  })
})
