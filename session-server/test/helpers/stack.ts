/**
 * A real stack for integration tests: an HTTP server on 127.0.0.1:0, the real backend (in-memory
 * PGlite) told that this server is its session server, and the session server attached to it.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startTestBackend, TEST_JWT_SECRET, TEST_SERVICE_TOKEN, type TestBackend } from '@scalable-chat/backend-server/testing'
import type { FakeHathora } from '@scalable-chat/backend-server/testing/fake-hathora'
import type { AuthResponse, CreateRoomResponse, JoinRoomResponse } from '@scalable-chat/backend-server/contract'
import type { DestinationStream } from 'pino'
import type { Backend } from '../../src/backend/Backend.js'
import type { Logger } from '../../src/logger.js'
import { HttpBackend } from '../../src/backend/HttpBackend.js'
import { loadConfig, type Config } from '../../src/config.js'
import { createSessionServer, type SessionServer } from '../../src/createSessionServer.js'
import { PROTOCOL_VERSION } from '../../src/protocol/index.js'
import { TestClient } from './TestClient.js'

export interface Stack {
  backend: TestBackend
  session: SessionServer
  config: Config
  /** `127.0.0.1:<port>`: the session server's PUBLIC_HOST. */
  host: string
  register(username: string): Promise<AuthResponse>
  createRoom(userToken: string, name?: string): Promise<string>
  join(userToken: string, roomId: string): Promise<JoinRoomResponse>
  /** Opens a WebSocket with a room token (query built from `params`). */
  connect(params: Record<string, string | number>, options?: { autoPong?: boolean }): TestClient
  /** register + create room (first user) + join + connect, for each username. */
  usersInRoom(usernames: string[]): Promise<{ roomId: string; users: Array<{ auth: AuthResponse; client: TestClient }> }>
  close(): Promise<void>
}

export interface StackOptions {
  /** Lets a test stand between the session server and the real backend (e.g. to hold commits). */
  wrapBackend?: (backend: Backend) => Backend
  /** The session server's logger (default: silent). */
  logger?: Logger
  /** Passed to the backend (its JSON log lines). */
  backendLogStream?: DestinationStream
  /**
   * Run as under Hathora: the backend uses the HathoraScheduler against this fake, whose rooms are
   * exposed at this session server's address, and the session server learns its public host from
   * `HATHORA_HOSTNAME` / `HATHORA_DEFAULT_PORT` as in a Hathora process (no PUBLIC_HOST).
   */
  hathora?: FakeHathora
}

export async function startStack(env: Record<string, string> = {}, options: StackOptions = {}): Promise<Stack> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`
  const port = (server.address() as AddressInfo).port
  const fake = options.hathora
  if (fake) fake.nextExposedPort = { host: '127.0.0.1', port }
  const backend = await startTestBackend({
    sessionServerHosts: fake ? [] : [host],
    env: fake
      ? {
          HATHORA_APP_ID: fake.appId,
          HATHORA_TOKEN: fake.token,
          HATHORA_API_URL: fake.url,
          HATHORA_POLL_INTERVAL_MS: '5',
          // The fake exposes every Hathora room at this one server, so a destroyed room's address
          // still answers and no client would report it as failedHost: ask Hathora on every join.
          PLACEMENT_CACHE_TTL_MS: '0',
        }
      : {},
    ...(options.backendLogStream ? { logStream: options.backendLogStream } : {}),
  })
  const config = loadConfig({
    JWT_SECRET: TEST_JWT_SECRET,
    SERVICE_TOKEN: TEST_SERVICE_TOKEN,
    ...(fake
      ? { HATHORA_HOSTNAME: '127.0.0.1', HATHORA_DEFAULT_PORT: String(port), HATHORA_PROCESS_ID: 'test-process' }
      : { PUBLIC_HOST: host }),
    BACKEND_URL: backend.url,
    LOG_LEVEL: 'silent',
    ...env,
  })
  const httpBackend = new HttpBackend(config.BACKEND_URL, config.SERVICE_TOKEN)
  // The backend lists this host in SESSION_SERVER_HOST already: it counts as registered.
  const session = createSessionServer({ config, server, backend: options.wrapBackend?.(httpBackend) ?? httpBackend, registered: true, ...(options.logger ? { logger: options.logger } : {}) })
  const clients: TestClient[] = []

  async function api<T>(method: string, path: string, token: string | undefined, body?: unknown): Promise<T> {
    const response = await fetch(`${backend.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`)
    return (response.status === 204 ? undefined : await response.json()) as T
  }

  const stack: Stack = {
    backend,
    session,
    config,
    host,
    register: (username) => api<AuthResponse>('POST', '/api/register', undefined, { username, password: 'correct horse battery' }),
    createRoom: async (token, name = 'Test room') => (await api<CreateRoomResponse>('POST', '/api/rooms', token, { name })).roomId,
    join: (token, roomId) => api<JoinRoomResponse>('GET', `/api/rooms/${roomId}`, token),
    connect(params, options) {
      const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]))
      const client = new TestClient(`ws://${host}/?${query}`, options)
      clients.push(client)
      return client
    },
    async usersInRoom(usernames) {
      const auths = await Promise.all(usernames.map((name) => stack.register(name)))
      const roomId = await stack.createRoom(auths[0]!.token)
      const users = []
      for (const auth of auths) {
        const { token } = await stack.join(auth.token, roomId)
        const client = stack.connect({ token, v: PROTOCOL_VERSION })
        await client.next('snapshot')
        users.push({ auth, client })
      }
      return { roomId, users }
    },
    async close() {
      for (const client of clients) client.terminate()
      await session.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await backend.close()
    },
  }
  return stack
}

let counter = 0
/** A username unique within the test run (usernames are unique per backend anyway). */
export function uniqueName(prefix = 'user'): string {
  return `${prefix}_${process.pid}_${++counter}`
}
