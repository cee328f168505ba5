import { Writable } from 'node:stream'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JoinRoomResponse } from '@scalable-chat/backend-contract'
import { startTestBackend, type TestBackend } from '../src/testing/index.js'
import { bearer, createRoom, registerUser, startFakeSessionServer, type FakeSessionServer } from './helpers.js'

const METRICS_TOKEN = 'metrics-token-for-the-tests-only'

/** Collects the backend's JSON log lines. */
class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = []
  text = ''
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString()
    for (const line of chunk.toString().split('\n')) if (line.trim()) this.lines.push(JSON.parse(line) as Record<string, unknown>)
    done()
  }
}

let sessionServer: FakeSessionServer
let backend: TestBackend
const logs = new LogCapture()
beforeAll(async () => {
  sessionServer = await startFakeSessionServer()
  backend = await startTestBackend({
    sessionServerHosts: [sessionServer.host],
    overrides: { metricsToken: METRICS_TOKEN },
    logStream: logs,
  })
})
afterAll(async () => {
  await backend.close()
  await sessionServer.close()
})
const api = () => request(backend.url)

describe('request ids and logs', () => {
  it('echoes a well-formed incoming X-Request-Id, replaces a malformed one, and makes one up otherwise', async () => {
    expect((await api().get('/healthz').set('x-request-id', 'lb-4f2a.17')).headers['x-request-id']).toBe('lb-4f2a.17')
    const replaced = (await api().get('/healthz').set('x-request-id', 'bad id\twith "junk"')).headers['x-request-id']
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/)
    expect((await api().get('/healthz')).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('logs one line per request with its id, and never a password or token after register, login, create, join', async () => {
    const password = 'unique-Password-7731'
    const registered = await api().post('/api/register').send({ username: 'logged_user', password })
    expect(registered.status).toBe(201)
    const login = await api().post('/api/login').set('x-request-id', 'login-req-1').send({ username: 'logged_user', password })
    expect(login.status).toBe(200)
    const userToken = login.body.token as string
    const roomId = await createRoom(backend, userToken)
    const joined = (await api().get(`/api/rooms/${roomId}`).set(bearer(userToken))).body as JoinRoomResponse
    // A token in a query string (as in a WebSocket URL) must be redacted from the logged URL too.
    await api().get(`/api/me?token=${joined.token}`).set(bearer(userToken))
    await api().post('/api/login').send({ username: 'logged_user', password: 'wrong-Password-1' })

    const loginLine = logs.lines.find((l) => (l.req as { id?: string } | undefined)?.id === 'login-req-1')
    expect(loginLine).toMatchObject({ msg: 'request', req: { method: 'POST', url: '/api/login' }, res: { status: 200 } })
    expect(logs.lines.some((l) => (l.req as { url?: string } | undefined)?.url === '/api/me?token=[redacted]')).toBe(true)
    for (const secret of [password, 'wrong-Password-1', registered.body.token, userToken, joined.token]) {
      expect(logs.text).not.toContain(secret)
    }
  })

  it('writes no info line for probes and session servers\' internal calls', async () => {
    expect((await api().post('/internal/servers/heartbeat').set('x-request-id', 'internal-req-1').send({})).status).toBe(401)
    expect((await api().get('/healthz').set('x-request-id', 'probe-req-1')).status).toBe(200)
    expect((await api().get('/api/me').set('x-request-id', 'api-req-1')).status).toBe(401)
    const ids = logs.lines.map((l) => (l.req as { id?: string } | undefined)?.id)
    expect(ids).toContain('api-req-1')
    expect(ids).not.toContain('internal-req-1')
    expect(ids).not.toContain('probe-req-1')
  })

  it('writes no info line for a successful join, but one for a failed join and for other room routes', async () => {
    const { token } = await registerUser(backend, 'joiner')
    const roomId = await createRoom(backend, token)
    expect((await api().get(`/api/rooms/${roomId}`).set(bearer(token)).set('x-request-id', 'join-ok-1')).status).toBe(200)
    expect((await api().get('/api/rooms/nosuchroom00').set(bearer(token)).set('x-request-id', 'join-404-1')).status).toBe(404)
    const patched = await api().patch(`/api/rooms/${roomId}`).set(bearer(token)).set('x-request-id', 'patch-ok-1').send({ description: 'quiet' })
    expect(patched.status).toBe(200)
    const ids = logs.lines.map((l) => (l.req as { id?: string } | undefined)?.id)
    expect(ids).not.toContain('join-ok-1')
    expect(ids).toContain('join-404-1')
    expect(ids).toContain('patch-ok-1')
  })

  it('redacts a query token from the URL in the log line of a failed request too', async () => {
    const failing = new LogCapture()
    const broken = await startTestBackend({ sessionServerHosts: ['127.0.0.1:1'], logStream: failing })
    try {
      const { token } = await registerUser(broken)
      await broken.db.close()
      const failed = await request(broken.url).get(`/api/me?token=${token}`).set(bearer(token)).set('x-request-id', 'failing-req-1')
      expect(failed.status).toBe(500)
      // The error line carries the request's id, like the request line, so the two can be matched.
      expect(failing.lines.find((l) => l.msg === 'request failed')).toMatchObject({ reqId: 'failing-req-1', url: '/api/me?token=[redacted]' })
      expect(failing.lines.find((l) => l.msg === 'request' && (l.req as { id?: string }).id === 'failing-req-1')).toMatchObject({
        level: 40,
        res: { status: 500 },
      })
      expect(failing.text).not.toContain(token)
    } finally {
      await broken.close()
    }
  })
})

describe('GET /readyz and /healthz', () => {
  it('is ready when the database answers and every migration is applied', async () => {
    expect((await api().get('/readyz')).body).toEqual({ ok: true })
  })

  it('answers 503 migrations_pending when the database is behind the code, while /healthz stays 200', async () => {
    const behind = await startTestBackend({ sessionServerHosts: ['127.0.0.1:1'] })
    try {
      await behind.db.query('DELETE FROM schema_migrations')
      const res = await request(behind.url).get('/readyz')
      expect(res.status).toBe(503)
      expect(res.body.error.code).toBe('migrations_pending')
      await behind.db.close()
      expect((await request(behind.url).get('/readyz')).body.error.code).toBe('database_unavailable')
      expect((await request(behind.url).get('/healthz')).status).toBe(200)
    } finally {
      await behind.close()
    }
  })
})

describe('GET /metrics', () => {
  it('requires the METRICS_TOKEN bearer (401), and does not exist without METRICS_TOKEN (404)', async () => {
    expect((await api().get('/metrics')).status).toBe(401)
    expect((await api().get('/metrics').set(bearer('metrics-token-but-not-the-right-one'))).status).toBe(401)
    const without = await startTestBackend({ sessionServerHosts: ['127.0.0.1:1'] })
    try {
      expect((await request(without.url).get('/metrics').set(bearer(METRICS_TOKEN))).status).toBe(404)
    } finally {
      await without.close()
    }
  })

  it('counts requests by route pattern and status, placements and auth failures', async () => {
    const { token } = await registerUser(backend)
    const roomId = await createRoom(backend, token)
    await api().get(`/api/rooms/${roomId}`).set(bearer(token))
    // A handler that throws (unknown room: 404) still counts under its full route pattern.
    expect((await api().get('/api/rooms/nonexistent0').set(bearer(token))).status).toBe(404)
    await api().get('/api/me').set(bearer('forged'))
    await api().post('/api/login').send({ username: 'nobody_at_all', password: 'password123' })

    const res = await api().get('/metrics').set(bearer(METRICS_TOKEN))
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toContain('text/plain')
    const text = res.text
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/api\/rooms\/:roomId",status="200"\} [1-9]/)
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/api\/rooms\/:roomId",status="404"\} [1-9]/)
    expect(text).toMatch(/http_request_duration_seconds_count\{method="POST",route="\/api\/register",status="201"\} [1-9]/)
    expect(text).toMatch(/room_placements_total\{outcome="placed"\} [1-9]/)
    expect(text).toMatch(/auth_failures_total\{reason="invalid_token"\} [1-9]/)
    expect(text).toMatch(/auth_failures_total\{reason="invalid_credentials"\} [1-9]/)
    // Raw ids never become labels.
    expect(text).not.toContain(roomId)
  })

  it('logs a refused service token at warn with the caller\'s address, and counts it', async () => {
    const res = await api().post('/internal/servers/heartbeat').set('x-request-id', 'probe-internal-1').set(bearer('x'.repeat(43))).send({})
    expect(res.status).toBe(401)
    const line = logs.lines.find((l) => l.reqId === 'probe-internal-1' && l.level === 40)
    expect(line).toMatchObject({ msg: 'refused an internal request without the service token', ip: '127.0.0.1', method: 'POST', url: '/internal/servers/heartbeat' })
    expect(JSON.stringify(line)).not.toContain('x'.repeat(43))
    const metrics = await api().get('/metrics').set(bearer(METRICS_TOKEN))
    expect(metrics.text).toMatch(/auth_failures_total\{reason="invalid_service_token"\} [1-9]/)
  })
})
