import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import request from 'supertest'
import { afterAll, beforeAll } from 'vitest'
import type { AuthResponse, CreateRoomResponse } from '@scalable-chat/backend-contract'
import type { NewMessage } from '@scalable-chat/backend-contract/internal'
import { startTestBackend, TEST_SERVICE_TOKEN, type TestBackend, type TestBackendOptions } from '../src/testing/index.js'

/**
 * A stand-in session server: answers `/healthz` (while `healthy`), records every other request
 * (the backend's room-deletion calls), and can be stopped to play a dead server.
 */
export interface FakeSessionServer {
  host: string
  healthy: boolean
  /** Still up (200) but says `"draining": true`, as a session server does after SIGTERM. */
  draining: boolean
  /** The next this many `/healthz` answer 503, however `healthy` is: a hiccup. */
  healthFailures: number
  /** `/healthz` requests so far. */
  healthChecks: number
  requests: { method: string; url: string; authorization: string | undefined }[]
  /** Resolves with the next recorded request. */
  nextRequest(): Promise<{ method: string; url: string; authorization: string | undefined }>
  /** What it answers to `GET /internal/rooms/online`: people connected per room; undefined: it answers 503. */
  online: Record<string, number> | undefined
  close(): Promise<void>
}

export async function startFakeSessionServer(): Promise<FakeSessionServer> {
  const waiters: ((r: FakeSessionServer['requests'][number]) => void)[] = []
  const fake: FakeSessionServer = {
    host: '',
    healthy: true,
    draining: false,
    healthFailures: 0,
    healthChecks: 0,
    requests: [],
    online: {},
    nextRequest: () => new Promise((resolve) => waiters.push(resolve)),
    close: () => closeServer(server),
  }
  const server = createServer((req: IncomingMessage, res) => {
    if (req.url === '/healthz') {
      fake.healthChecks++
      const healthy = fake.healthy && fake.healthFailures === 0
      if (fake.healthFailures > 0) fake.healthFailures--
      res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: healthy, draining: fake.draining }))
      return
    }
    if (req.url?.startsWith('/internal/rooms/online?')) {
      if (!fake.online) return void res.writeHead(503).end()
      const ids = new URL(req.url, 'http://x').searchParams.get('ids')?.split(',') ?? []
      const online = Object.fromEntries(ids.filter((id) => fake.online![id] !== undefined).map((id) => [id, fake.online![id]]))
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ online }))
      return
    }
    const entry = { method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization }
    fake.requests.push(entry)
    waiters.shift()?.(entry)
    res.writeHead(204).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  fake.host = `127.0.0.1:${(server.address() as AddressInfo).port}`
  return fake
}

/** A `host:port` that nobody listens on: a port the OS just gave out and took back. */
export async function deadHost(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await closeServer(server)
  return `127.0.0.1:${port}`
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}

let userCounter = 0
/** Registers a fresh user with a unique name and returns its token and user. */
export async function registerUser(backend: TestBackend, prefix = 'user'): Promise<AuthResponse> {
  const username = `${prefix}_${process.pid}_${++userCounter}`
  const res = await request(backend.url).post('/api/register').send({ username, password: 'correct horse' })
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body as AuthResponse
}

export async function createRoom(backend: TestBackend, token: string, name = 'Lobby'): Promise<string> {
  const res = await request(backend.url).post('/api/rooms').set('authorization', `Bearer ${token}`).send({ name })
  if (res.status !== 201) throw new Error(`create room failed: ${res.status} ${JSON.stringify(res.body)}`)
  return (res.body as CreateRoomResponse).roomId
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
export const service = bearer(TEST_SERVICE_TOKEN)

export function newMessage(user: { id: string; username: string }, clientId: string, text = `text ${clientId}`): NewMessage {
  return { kind: 'message', id: randomUUID(), clientId, userId: user.id, username: user.username, text, createdAt: new Date().toISOString() }
}

/**
 * A test file's backend beside one fake session server (its only host), started before the
 * file's tests and closed after them. Read `backend` and `session` inside tests.
 */
export function useBackendBesideFakeSession(overrides: TestBackendOptions['overrides'] = {}): { readonly backend: TestBackend; readonly session: FakeSessionServer } {
  let backend: TestBackend | undefined
  let session: FakeSessionServer | undefined
  beforeAll(async () => {
    session = await startFakeSessionServer()
    backend = await startTestBackend({ sessionServerHosts: [session.host], overrides: { maxRoomsPerServer: 1000, ...overrides } })
  })
  afterAll(async () => {
    await backend?.close()
    await session?.close()
  })
  return {
    get backend() {
      if (!backend) throw new Error('useBackendBesideFakeSession: the backend starts in beforeAll; read it inside a test')
      return backend
    },
    get session() {
      if (!session) throw new Error('useBackendBesideFakeSession: the session server starts in beforeAll; read it inside a test')
      return session
    },
  }
}
