import { createSecretKey, randomBytes, scryptSync } from 'node:crypto'
import { SignJWT } from 'jose'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TokenService } from '../src/auth/TokenService.js'
import { TokenAudience } from '@scalable-chat/backend-contract/internal'
import { startTestBackend, TEST_JWT_SECRET, type TestBackend } from '../src/testing/index.js'
import { bearer, registerUser } from './helpers.js'

let backend: TestBackend
beforeAll(async () => {
  backend = await startTestBackend({ sessionServerHosts: ['127.0.0.1:1'] })
})
afterAll(() => backend.close())

const api = () => request(backend.url)

describe('POST /api/register', () => {
  it('creates an account and returns a token that works on /api/me', async () => {
    const res = await api().post('/api/register').send({ username: 'Alice_1', password: 'password123' })
    expect(res.status).toBe(201)
    expect(res.body.user).toEqual({ id: expect.any(String), username: 'Alice_1' })
    const me = await api().get('/api/me').set(bearer(res.body.token))
    expect(me.status).toBe(200)
    expect(me.body).toEqual({ user: res.body.user })
  })

  it('refuses a name that differs only in case with 409 username_taken', async () => {
    await api().post('/api/register').send({ username: 'Bob_case', password: 'password123' }).expect(201)
    const res = await api().post('/api/register').send({ username: 'bob_CASE', password: 'password456' })
    expect(res.status).toBe(409)
    expect(res.body).toEqual({ error: { code: 'username_taken', message: expect.any(String) } })
  })

  it('answers 400 invalid_request naming the field, and creates nothing', async () => {
    const short = await api().post('/api/register').send({ username: 'ab', password: 'password123' })
    expect(short.status).toBe(400)
    expect(short.body.error).toEqual({ code: 'invalid_request', message: 'username: must be at least 3 characters' })

    const missing = await api().post('/api/register').send({ username: 'carol_ok' })
    expect(missing.body.error.message).toBe('password: is required')

    const extra = await api().post('/api/register').send({ username: 'carol_ok', password: 'password123', admin: true })
    expect(extra.status).toBe(400)

    const login = await api().post('/api/login').send({ username: 'carol_ok', password: 'password123' })
    expect(login.status).toBe(401)
  })

  it('answers 400 invalid_json for a malformed body and 400 for no body', async () => {
    const malformed = await api().post('/api/register').set('content-type', 'application/json').send('{"username":')
    expect(malformed.status).toBe(400)
    expect(malformed.body.error.code).toBe('invalid_json')
    const empty = await api().post('/api/register')
    expect(empty.status).toBe(400)
    expect(empty.body.error.code).toBe('invalid_request')
  })

  it('answers 413 for a body over JSON_BODY_LIMIT', async () => {
    const res = await api().post('/api/register').send({ username: 'big_one', password: 'x'.repeat(20_000) })
    expect(res.status).toBe(413)
    expect(res.body.error.code).toBe('payload_too_large')
  })
})

describe('POST /api/login', () => {
  it('signs in with the password, whatever the case of the name', async () => {
    const { user } = await registerUser(backend, 'Dora')
    const res = await api().post('/api/login').send({ username: user.username.toUpperCase(), password: 'correct horse' })
    expect(res.status).toBe(200)
    expect(res.body.user).toEqual(user)
    expect(typeof res.body.token).toBe('string')
  })

  it('gives a wrong password exactly the same 401 as an unknown user', async () => {
    const { user } = await registerUser(backend)
    const wrong = await api().post('/api/login').send({ username: user.username, password: 'wrong password' })
    const unknown = await api().post('/api/login').send({ username: 'nobody_here', password: 'wrong password' })
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    expect(wrong.body).toEqual(unknown.body)
    expect(wrong.body.error.code).toBe('invalid_credentials')
  })

  it('upgrades a hash made with older scrypt parameters when its password signs in', async () => {
    const { user } = await registerUser(backend, 'legacy')
    const salt = randomBytes(16)
    const key = scryptSync('correct horse', salt, 32, { N: 16_384, r: 8, p: 1 })
    await backend.db.query('UPDATE users SET password_hash = $2 WHERE id = $1', [
      user.id,
      ['scrypt', 16_384, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$'),
    ])
    expect((await api().post('/api/login').send({ username: user.username, password: 'correct horse' })).status).toBe(200)
    const [row] = await backend.db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [user.id])
    expect(row?.password_hash).toMatch(/^scrypt\$16384\$8\$5\$/)
    expect((await api().post('/api/login').send({ username: user.username, password: 'correct horse' })).status).toBe(200)
  })
})

describe('user tokens', () => {
  const key = createSecretKey(Buffer.from(TEST_JWT_SECRET))

  it('refuses a missing or garbage token with 401 unauthorized', async () => {
    expect((await api().get('/api/me')).status).toBe(401)
    const res = await api().get('/api/me').set(bearer('not.a.jwt'))
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('unauthorized')
  })

  it('refuses an expired token', async () => {
    const { user } = await registerUser(backend)
    const expired = await new SignJWT({ username: user.username })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setAudience(TokenAudience.USER)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 120)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(key)
    expect((await api().get('/api/me').set(bearer(expired))).status).toBe(401)
  })

  it('refuses a room token (wrong audience) and a token signed with another secret', async () => {
    const { user } = await registerUser(backend)
    const roomToken = new TokenService(backend.config).signRoomToken({
      sub: user.id,
      username: user.username,
      roomId: 'abcdefghijkl',
      host: 'h:1',
      epoch: 1,
    })
    expect((await api().get('/api/me').set(bearer(roomToken))).status).toBe(401)

    const forged = new TokenService({ ...backend.config, jwtSecret: 'another-secret-of-at-least-32-chars!!' }).signUserToken(user)
    expect((await api().get('/api/me').set(bearer(forged))).status).toBe(401)
  })
})

describe('password endpoint rate limit', () => {
  it('answers 429 rate_limited with Retry-After once an IP used up its attempts, for login and register alike', async () => {
    const limited = await startTestBackend({ sessionServerHosts: ['127.0.0.1:1'], overrides: { authRateLimitPerMinute: 3 } })
    try {
      const attempt = () => request(limited.url).post('/api/login').send({ username: 'nobody_x', password: 'password123' })
      for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(401)
      const refused = await attempt()
      expect(refused.status).toBe(429)
      expect(refused.body.error.code).toBe('rate_limited')
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
      const register = await request(limited.url).post('/api/register').send({ username: 'new_user', password: 'password123' })
      expect(register.status).toBe(429)
      // Other routes are not limited.
      expect((await request(limited.url).get('/healthz')).status).toBe(200)
    } finally {
      await limited.close()
    }
  })
})

describe('the app', () => {
  it('answers /healthz with ok without touching the database', async () => {
    const res = await api().get('/healthz')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ ok: true })
  })

  it('hides the details of an unexpected failure behind 500 internal_error', async () => {
    const broken = await startTestBackend({ sessionServerHosts: ['127.0.0.1:1'] })
    try {
      const { token } = await registerUser(broken)
      await broken.db.close()
      const res = await request(broken.url).get('/api/me').set(bearer(token))
      expect(res.status).toBe(500)
      expect(res.body).toEqual({ error: { code: 'internal_error', message: 'something went wrong on our side' } })
    } finally {
      await broken.close()
    }
  })

  it('answers unknown routes with a JSON 404', async () => {
    const res = await api().get('/api/nothing-here')
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('not_found')
  })

  it('allows CORS from CORS_ORIGIN only', async () => {
    const allowed = await api().options('/api/login').set('origin', 'http://localhost:5173').set('access-control-request-method', 'POST')
    expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:5173')
    const other = await api().options('/api/login').set('origin', 'http://evil.example').set('access-control-request-method', 'POST')
    expect(other.headers['access-control-allow-origin']).toBeUndefined()
  })
})
