/**
 * The backend's bad-input battery: every route gets arbitrary JSON values, strings and bytes as
 * bodies, and arbitrary bytes as path parameters and queries (fast-check), plus hand-picked cases.
 * Each answer must be a clear 4xx `{ error: { code, message } }` (or a 2xx exactly when the input
 * is valid by the contract) and never a 5xx; afterwards normal traffic works and storage holds
 * only what the valid inputs created. Case counts are printed at the end.
 */
import fc from 'fast-check'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Credentials, CreateRoomRequest, HistoryQuery } from '@scalable-chat/backend-contract'
import { BAD_REQUEST_TARGETS, rawRequestStatus, startTestBackend, TEST_SERVICE_TOKEN, type TestBackend } from '../src/testing/index.js'
import { bearer, createRoom, registerUser, startFakeSessionServer, type FakeSessionServer } from './helpers.js'

const counts: Record<string, number> = {}
const count = (group: string, n = 1) => (counts[group] = (counts[group] ?? 0) + n)

let sessionServer: FakeSessionServer
let backend: TestBackend
let userToken: string
let roomId: string
/** Rows the valid inputs created; storage must hold exactly these afterwards. */
const expected = { users: 0, rooms: 0 }

beforeAll(async () => {
  sessionServer = await startFakeSessionServer()
  backend = await startTestBackend({ sessionServerHosts: [sessionServer.host] })
  userToken = (await registerUser(backend, 'owner')).token
  roomId = await createRoom(backend, userToken)
  expected.users = 1
  expected.rooms = 1
})
afterAll(async () => {
  await backend.close()
  await sessionServer.close()
  const total = Object.values(counts).reduce((a, b) => a + b, 0)
  console.log(`bad-input battery (backend): ${total} requests — ${JSON.stringify(counts)}`)
})

type Body = { kind: 'json'; value: unknown } | { kind: 'raw'; bytes: Buffer; contentType: string }

const bodies: fc.Arbitrary<Body> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((value): Body => ({ kind: 'json', value })),
  fc.string({ unit: 'binary', maxLength: 300 }).map((s): Body => ({ kind: 'raw', bytes: Buffer.from(s), contentType: 'application/json' })),
  fc
    .tuple(fc.uint8Array({ maxLength: 300 }), fc.constantFrom('application/json', 'application/json; charset=utf-16', 'text/plain', 'application/octet-stream'))
    .map(([b, contentType]): Body => ({ kind: 'raw', bytes: Buffer.from(b), contentType })),
)

/** Arbitrary bytes as a path segment or query value, percent-encoded byte by byte (invalid UTF-8 included). */
const percentEncoded = fc.uint8Array({ minLength: 1, maxLength: 40 }).map((b) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join(''))

/** Like the server's query parser: bytes that are not UTF-8 stay as they were. */
function decodeOrKeep(encoded: string): string {
  try {
    return decodeURIComponent(encoded)
  } catch {
    return encoded
  }
}

function expectClearAnswer(res: request.Response): void {
  expect(res.status, `${res.status} ${res.text}`).toBeLessThan(500)
  if (res.status >= 400) {
    expect(res.body).toEqual({ error: { code: expect.any(String), message: expect.any(String) } })
  }
}

async function send(method: 'post' | 'get' | 'delete', path: string, headers: Record<string, string>, body?: Body) {
  let req = request(backend.url)[method](path).set(headers)
  if (body?.kind === 'json') req = req.set('content-type', 'application/json').send(JSON.stringify(body.value) ?? 'null')
  if (body?.kind === 'raw') req = req.set('content-type', body.contentType).send(body.bytes)
  return req
}

describe('every route under arbitrary input (property-based)', () => {
  it('POST /api/register and /api/login: 4xx with a clear error unless the body is valid credentials', async () => {
    await fc.assert(
      fc.asyncProperty(bodies, fc.constantFrom('/api/register', '/api/login'), async (body, path) => {
        const res = await send('post', path, {}, body)
        expectClearAnswer(res)
        const valid = body.kind === 'json' && Credentials.safeParse(body.value).success
        if (!valid) expect(res.status).toBeGreaterThanOrEqual(400)
        if (path === '/api/register' && res.status === 201) expected.users++
        count('fuzz: POST register/login')
      }),
      { numRuns: 250 },
    )
  })

  it('POST /api/rooms: 4xx unless the body is a valid room, and never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const res = await send('post', '/api/rooms', bearer(userToken), body)
        expectClearAnswer(res)
        if (res.status === 201) {
          expect(body.kind === 'json' && CreateRoomRequest.safeParse(body.value).success).toBe(true)
          expected.rooms++
        }
        count('fuzz: POST /api/rooms')
      }),
      { numRuns: 150 },
    )
  })

  it('room routes with arbitrary ids and queries: 400/403/404 unless the query is valid, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(percentEncoded, percentEncoded, fc.constantFrom('get', 'delete', 'history'), async (id, query, route) => {
        const res =
          route === 'history'
            ? await send('get', `/api/rooms/${roomId}/messages?before=${query}&limit=${id}`, bearer(userToken))
            : await send(route, `/api/rooms/${id}?failedHost=${query}`, bearer('x'.repeat(20)))
        expectClearAnswer(res)
        // Random bytes can spell a valid page query (`before=%31&limit=%31` is before=1&limit=1).
        const validHistory =
          route === 'history' && HistoryQuery.safeParse({ before: decodeOrKeep(query), limit: decodeOrKeep(id) }).success
        if (validHistory) expect(res.status).toBe(200)
        else expect(res.status).toBeGreaterThanOrEqual(400)
        count('fuzz: room routes (ids, queries)')
      }),
      { numRuns: 200 },
    )
  })

  it('/internal routes with the service token and arbitrary bodies and ids: 4xx, never a 5xx, nothing stored', async () => {
    await fc.assert(
      fc.asyncProperty(bodies, percentEncoded, fc.constantFrom('messages', 'release', 'load', 'register'), async (body, id, route) => {
        const service = bearer(TEST_SERVICE_TOKEN)
        const res =
          route === 'messages'
            ? await send('post', `/internal/rooms/${roomId}/messages`, service, body)
            : route === 'release'
              ? await send('post', `/internal/rooms/${id}/release`, service, body)
              : route === 'load'
                ? await send('get', `/internal/rooms/${id}?host=${id}`, service)
                : await send('post', '/internal/servers/register', service, body)
        expectClearAnswer(res)
        count('fuzz: /internal routes')
      }),
      { numRuns: 200 },
    )
  })

  it('arbitrary bearer headers on every authenticated route: 401, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme-ascii', maxLength: 200 }), fc.constantFrom('/api/me', '/api/rooms', `/api/rooms/${roomId}`), async (token, path) => {
        const res = await request(backend.url).get(path).set('authorization', `Bearer ${token.replace(/[\r\n]/g, '')}`)
        expectClearAnswer(res)
        expect(res.status).toBe(401)
        count('fuzz: bearer tokens')
      }),
      { numRuns: 150 },
    )
  })
})

describe('hand-picked bad input', () => {
  const post = (path: string, raw: string, contentType = 'application/json') =>
    request(backend.url).post(path).set(bearer(userToken)).set('content-type', contentType).send(raw)

  it('answers malformed, truncated, deeply nested, wrongly typed and oversized bodies with their error codes', async () => {
    const valid = JSON.stringify({ username: 'truncated_user', password: 'password123' })
    for (let length = 1; length < valid.length; length++) {
      expect((await post('/api/login', valid.slice(0, length))).body.error.code).toBe('invalid_json')
      count('hand: truncated JSON')
    }
    const cases: Array<[string, string, number, string]> = [
      ['/api/register', '{"username": "abc", "password": 12345678}', 400, 'invalid_request'],
      ['/api/register', '{"username": ["a","b","c"], "password": "password123"}', 400, 'invalid_request'],
      ['/api/register', '[]', 400, 'invalid_request'],
      ['/api/register', '"just a string"', 400, 'invalid_json'],
      ['/api/rooms', '{"name": 42}', 400, 'invalid_request'],
      ['/api/rooms', '{"name": "\\u0000\\u0007\\u001b"}', 400, 'invalid_request'],
      ['/api/rooms', `${'['.repeat(5000)}${']'.repeat(5000)}`, 400, 'invalid_request'],
      ['/api/rooms', `{"name": "${'x'.repeat(20_000)}"}`, 413, 'payload_too_large'],
      ['/api/login', '{"username":"abc","password":"password123","__proto__":{"admin":true}}', 400, 'invalid_request'],
      ['/api/login', '{"username":"abc","password":"password123","constructor":{"prototype":{"admin":true}}}', 400, 'invalid_request'],
    ]
    for (const [path, raw, status, code] of cases) {
      const res = await post(path, raw)
      expect({ path, raw: raw.slice(0, 40), status: res.status, code: res.body.error?.code }).toEqual({ path, raw: raw.slice(0, 40), status, code })
      count('hand: malformed bodies')
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined()
  })

  it('refuses injection-looking and unicode usernames, and stores such room names verbatim (control characters removed)', async () => {
    for (const username of ["admin'--", 'a; DROP TABLE users', '<script>', 'ａｄｍｉｎ', 'zero\u200bwidth', 'עברית', '👩‍💻user', 'lone\ud800']) {
      const res = await request(backend.url).post('/api/register').send({ username, password: 'password123' })
      expect(res.status).toBe(400)
      expect(res.body.error.code).toBe('invalid_request')
      count('hand: usernames')
    }
    const names: Array<[string, string]> = [
      ["'; DROP TABLE rooms; --", "'; DROP TABLE rooms; --"],
      ['<img src=x onerror=alert(1)>', '<img src=x onerror=alert(1)>'],
      ['שלום 👋 \u202eabc', 'שלום 👋 \u202eabc'],
      ['bell\u0007 nul\u0000 name', 'bell nul name'],
      ['lone \udc00 surrogate', 'lone \ufffd surrogate'],
    ]
    for (const [name, stored] of names) {
      const res = await request(backend.url).post('/api/rooms').set(bearer(userToken)).send({ name })
      expect(res.status).toBe(201)
      expect(res.body.name).toBe(stored)
      expected.rooms++
      count('hand: room names')
    }
  })

  it('answers odd request targets (sent verbatim over TCP) with 400, 401 or 404, and keeps serving', async () => {
    const host = new URL(backend.url).host
    for (const target of BAD_REQUEST_TARGETS) {
      for (const method of ['GET', 'POST', 'DELETE']) {
        expect({ method, target, status: await rawRequestStatus(host, method, target) }).toEqual({ method, target, status: expect.toBeOneOf([400, 401, 404]) })
        count('hand: request targets')
      }
    }
    expect((await request(backend.url).get('/healthz')).status).toBe(200)
  })

  it('afterwards serves normal traffic, and storage holds only the rows the valid inputs created', async () => {
    const fresh = await registerUser(backend, 'after')
    expected.users++
    const login = await request(backend.url).post('/api/login').send({ username: fresh.user.username, password: 'correct horse' })
    expect(login.status).toBe(200)
    const id = await createRoom(backend, login.body.token as string)
    expected.rooms++
    expect((await request(backend.url).get(`/api/rooms/${id}`).set(bearer(login.body.token as string))).status).toBe(200)

    const [users] = await backend.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users')
    const [rooms] = await backend.db.query<{ n: number }>('SELECT count(*)::int AS n FROM rooms')
    const [messages] = await backend.db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages')
    expect({ users: users?.n, rooms: rooms?.n, messages: messages?.n }).toEqual({ ...expected, messages: 0 })
  })
})
