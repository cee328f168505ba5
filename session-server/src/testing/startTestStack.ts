/**
 * A real stack for tests, in this process: the backend (`startTestBackend`, PGlite in memory) and
 * one session server on its own HTTP server, both on 127.0.0.1, port 0, each knowing the other.
 * The test helper this workspace offers the others (`@scalable-chat/session-server/testing`).
 *
 * The session server can be stopped (graceful drain, then the port closes: clients see an outage)
 * and started again on the SAME port, so the host the backend's LocalScheduler knows stays valid,
 * as when a process manager restarts it in place.
 *
 * @example
 * const stack = await startTestStack({ sessionEnv: { MESSAGE_BURST: '100' } })
 * // stack.backend.url for the API, stack.host for the session server
 * await stack.close()
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import {
  startTestBackend,
  TEST_SERVICE_TOKEN,
  type FakeHathora,
  type TestBackend,
  type TestBackendOptions,
} from '@scalable-chat/backend-server/testing'
import type { BackendApi } from '../backendApi/BackendApi.js'
import { HttpBackendApi } from '../backendApi/HttpBackendApi.js'
import { loadConfig, type Config } from '../config.js'
import { createSessionServer, type SessionServer } from '../createSessionServer.js'
import type { Logger } from '../logger.js'

/** The session server's process entry point, for tests that run it as a real process (`node --import tsx`). */
export const SESSION_SERVER_MAIN_MODULE = fileURLToPath(new URL('../main.ts', import.meta.url))

export interface TestStackOptions {
  /** Session server settings over the test defaults (test secrets, `LOG_LEVEL=silent`). */
  sessionEnv?: Record<string, string>
  /** Backend options; its `sessionServerHosts` is this stack's session server. */
  backend?: Omit<TestBackendOptions, 'sessionServerHosts'>
  /**
   * The address the session server publishes, given its port: `127.0.0.1:<port>` by default, or
   * for instance a `ws://127.0.0.1:<port>/s/x` URL, as a fleet behind one ingress publishes it.
   */
  address?: (port: number) => string
  /** Lets a test stand between the session server and the real backend (e.g. to hold commits). */
  wrapBackendApi?: (api: BackendApi) => BackendApi
  /** The session server's logger (default: silent). */
  logger?: Logger
  /**
   * Run as under Hathora: the backend uses the HathoraScheduler against this fake, whose rooms are
   * exposed at this session server's address, and the session server learns its public host from
   * `HATHORA_HOSTNAME` / `HATHORA_DEFAULT_PORT` as in a Hathora process (no PUBLIC_HOST).
   */
  hathora?: FakeHathora
}

export interface TestStack {
  backend: TestBackend
  /** The running session server (a new one after `startSession`). */
  readonly session: SessionServer
  config: Config
  /** The session server's public address (`PUBLIC_HOST`). */
  host: string
  /** The HTTP server under the session server (a new one after `startSession`, on the same port). */
  readonly server: Server
  /** Cuts every WebSocket's TCP connection from the server's side, without a close frame, as a crash would. */
  dropConnections(): void
  /** Graceful drain (sockets close with 1012), then the port is closed. */
  stopSession(): Promise<void>
  /** A fresh session server on the same port. */
  startSession(): Promise<void>
  close(): Promise<void>
}

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  let server = await listen(0)
  const port = (server.address() as AddressInfo).port
  const host = options.address?.(port) ?? `127.0.0.1:${port}`
  const fake = options.hathora
  if (fake) fake.nextExposedPort = { host: '127.0.0.1', port }
  const backend = await startTestBackend({
    ...options.backend,
    sessionServerHosts: fake ? [] : [host],
    env: {
      ...(fake
        ? {
            HATHORA_APP_ID: fake.appId,
            HATHORA_TOKEN: fake.token,
            HATHORA_API_URL: fake.url,
            HATHORA_POLL_INTERVAL_MS: '5',
            // The fake exposes every Hathora room at this one server, so a destroyed room's address
            // still answers and no client would report it as failedHost: ask Hathora on every join.
            PLACEMENT_CACHE_TTL_MS: '0',
          }
        : {}),
      ...options.backend?.env,
    },
  })
  const config = loadConfig({
    SERVICE_TOKEN: TEST_SERVICE_TOKEN,
    ...(fake
      ? { HATHORA_HOSTNAME: '127.0.0.1', HATHORA_DEFAULT_PORT: String(port), HATHORA_PROCESS_ID: 'test-process' }
      : { PUBLIC_HOST: host }),
    BACKEND_URL: backend.internalUrl,
    LOG_LEVEL: 'silent',
    ...options.sessionEnv,
  })
  const upgraded = new Set<Socket>()

  function attach(to: Server): SessionServer {
    to.on('upgrade', (_req, socket: Socket) => {
      upgraded.add(socket)
      socket.on('close', () => upgraded.delete(socket))
    })
    const api = new HttpBackendApi(config.BACKEND_URL, config.SERVICE_TOKEN)
    // The backend lists this host in SESSION_SERVER_HOST already: it counts as registered.
    return createSessionServer({
      config,
      server: to,
      backendApi: options.wrapBackendApi?.(api) ?? api,
      registered: true,
      ...(options.logger ? { logger: options.logger } : {}),
    })
  }

  let session: SessionServer | null = attach(server)
  const stack: TestStack = {
    backend,
    get session() {
      if (!session) throw new Error('the session server is stopped')
      return session
    },
    config,
    host,
    get server() {
      return server
    },
    dropConnections() {
      for (const socket of upgraded) socket.destroy()
    },
    async stopSession() {
      if (!session) return
      await session.drain()
      await session.close()
      session = null
      await closeServer(server)
    },
    async startSession() {
      if (session) throw new Error('the session server is already running')
      server = await listen(port)
      session = attach(server)
    },
    async close() {
      await session?.close()
      session = null
      await closeServer(server)
      await backend.close()
    },
  }
  return stack
}

function listen(port: number): Promise<Server> {
  const server = createServer()
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve(server)
    })
  })
}

function closeServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve()
  return new Promise((resolve) => {
    server.close(() => resolve())
    // The backend's health checks keep HTTP connections alive; they would hold close() open.
    server.closeAllConnections()
  })
}
