/**
 * The whole product for a browser test, in this process: the real backend (PGlite in memory), a
 * real session server, and the client's production bundle (built by globalSetup.ts) served by
 * `vite preview`, which proxies `/api` to the backend like the CDN does in production. Everything
 * listens on 127.0.0.1, port 0.
 *
 * The session server can be stopped and started again on the SAME port, so the host the
 * backend's LocalScheduler knows stays valid, as when a process manager restarts it in place.
 */
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { TestBackend } from '@scalable-chat/backend-server/testing'
import { startTestStack } from '@scalable-chat/session-server/testing'
import { preview, type PreviewServer } from 'vite'

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
  const stack = await startTestStack({
    ...(options.sessionEnv ? { sessionEnv: options.sessionEnv } : {}),
    // As `npm start` does: a room link offers "Continue as a guest" (guests.e2e.ts).
    backend: { overrides: { allowGuests: true } },
  })
  const app: PreviewServer = await preview({
    root: CLIENT_ROOT,
    logLevel: 'silent',
    build: { outDir: options.distDir },
    preview: {
      host: '127.0.0.1',
      port: 0,
      strictPort: false,
      open: false,
      proxy: { '/api': { target: stack.backend.url, changeOrigin: true } },
    },
  })
  const appAddress = app.httpServer.address() as AddressInfo
  return {
    appUrl: `http://127.0.0.1:${appAddress.port}`,
    backend: stack.backend,
    stopSessionServer: () => stack.stopSession(),
    startSessionServer: () => stack.startSession(),
    async close() {
      await app.close()
      await stack.close()
    },
  }
}
