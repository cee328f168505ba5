/**
 * The whole product for a browser test, in this process: the real backend (PGlite in memory), a
 * real session server, and the client's production bundle (built by globalSetup.ts) served by
 * `vite preview`, which proxies `/api` to the backend like the CDN does in production. Everything
 * listens on 127.0.0.1, port 0.
 *
 * The session server can be restarted on the SAME port (`restartSessionServer`), so the host the
 * backend's LocalScheduler knows stays valid, as when a process manager restarts it in place.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { startTestBackend, TEST_JWT_SECRET, TEST_SERVICE_TOKEN, type TestBackend } from '@scalable-chat/backend-server/testing'
import { preview, type PreviewServer } from 'vite'
// The session server exports no test helper; its factory is reached by path (as in test/ChatConnection.test.ts).
import { loadConfig } from '../../../session-server/src/config.js'
import { createSessionServer, type SessionServer } from '../../../session-server/src/createSessionServer.js'

const CLIENT_ROOT = fileURLToPath(new URL('../..', import.meta.url))

export interface E2eStack {
  /** The app's origin, e.g. `http://127.0.0.1:41234`. */
  appUrl: string
  backend: TestBackend
  /** Graceful drain (sockets close with 1012), then the port is closed: clients see the outage. */
  stopSessionServer(): Promise<void>
  /** A fresh session server on the same port. */
  startSessionServer(): Promise<void>
  close(): Promise<void>
}

export interface E2eStackOptions {
  /** The production bundle to serve (globalSetup.ts builds it). */
  distDir: string
  /** Session server settings over the defaults (e.g. tighter rate limits for one test). */
  sessionEnv?: Record<string, string>
}

export async function startE2eStack(options: E2eStackOptions): Promise<E2eStack> {
  let httpServer = createServer()
  await listen(httpServer, 0)
  const port = (httpServer.address() as AddressInfo).port
  const host = `127.0.0.1:${port}`
  const backend = await startTestBackend({ sessionServerHosts: [host] })
  const config = loadConfig({
    JWT_SECRET: TEST_JWT_SECRET,
    SERVICE_TOKEN: TEST_SERVICE_TOKEN,
    PUBLIC_HOST: host,
    BACKEND_URL: backend.url,
    LOG_LEVEL: 'silent',
    ...options.sessionEnv,
  })
  let session: SessionServer | null = createSessionServer({ config, server: httpServer })

  const app: PreviewServer = await preview({
    root: CLIENT_ROOT,
    logLevel: 'silent',
    build: { outDir: options.distDir },
    preview: {
      host: '127.0.0.1',
      port: 0,
      strictPort: false,
      open: false,
      proxy: { '/api': { target: backend.url, changeOrigin: true } },
    },
  })
  const appAddress = app.httpServer.address() as AddressInfo

  async function stopSessionServer() {
    if (!session) return
    await session.drain()
    await session.close()
    session = null
    await closeServer(httpServer)
  }

  return {
    appUrl: `http://127.0.0.1:${appAddress.port}`,
    backend,
    stopSessionServer,
    async startSessionServer() {
      if (session) throw new Error('the session server is already running')
      httpServer = createServer()
      await listen(httpServer, port)
      session = createSessionServer({ config, server: httpServer })
    },
    async close() {
      await session?.close()
      await closeServer(httpServer)
      await app.close()
      await backend.close()
    },
  }
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
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
