/**
 * The services as real PROCESSES, for the crash and chaos tests: each server's `main.ts` (the entry
 * point its testing module names) run with tsx, exactly as `npm start` runs them, so SIGKILL and
 * SIGTERM are the real thing. Everything binds 127.0.0.1 on ports picked free; readiness is the
 * service's own "listening" log line followed by a 200 from `/healthz`, never a timer.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { dirname } from 'node:path'
import { BACKEND_MAIN_MODULE, TEST_JWT_SECRET, TEST_ROOM_TOKEN_PRIVATE_KEY, TEST_SERVICE_TOKEN } from '@scalable-chat/backend-server/testing'
import { SESSION_SERVER_MAIN_MODULE } from '@scalable-chat/session-server/testing'

/** How long a service may take to start: tsx compiles on the fly, and PGlite runs initdb on first use. */
const START_TIMEOUT_MS = 30_000

/** Every service started in this test file, dead or alive, for `warningsOfAll`. */
const started: ServiceProcess[] = []

/** The warnings and errors every service of this file logged: what a failing test prints. */
export function warningsOfAll(): string {
  return started
    .map((service) => {
      const lines = service
        .output()
        .split('\n')
        .filter((line) => !line.startsWith('{') || (logLevel(line) ?? 0) >= 40)
      return `--- ${service.name} (pid ${service.pid})\n${lines.slice(-80).join('\n')}`
    })
    .join('\n')
}

export interface ServiceProcess {
  readonly name: string
  readonly pid: number
  /** `127.0.0.1:<port>`. */
  readonly host: string
  /** Resolves when the process has exited, with its exit code (null when a signal ended it). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Everything it printed, for a failure message. */
  output(): string
  /** Sends `signal` and waits for the exit. Does nothing if it already exited. */
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/**
 * A port that was free a moment ago (bound on port 0, then released). Another process could take
 * it in between; on a test machine that race is tiny, and a taken port fails loudly at start-up.
 */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

const common = {
  SERVICE_TOKEN: TEST_SERVICE_TOKEN,
  BIND_ADDRESS: '127.0.0.1',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
  LOG_FORMAT: 'json',
}

export function startBackendProcess(options: { port: number; dataDir: string; sessionHosts: string[]; env?: Record<string, string> }): Promise<ServiceProcess> {
  return startService('backend', BACKEND_MAIN_MODULE, options.port, 'backend listening', {
    ...common,
    JWT_SECRET: TEST_JWT_SECRET,
    // The same key across restarts, as in production: tokens handed out before a restart still verify.
    ROOM_TOKEN_PRIVATE_KEY: TEST_ROOM_TOKEN_PRIVATE_KEY,
    PORT: String(options.port),
    DATA_DIR: options.dataDir,
    SESSION_SERVER_HOST: options.sessionHosts.join(','),
    // Every test user registers from 127.0.0.1.
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    ...options.env,
  })
}

export function startSessionProcess(options: {
  port: number
  backendUrl: string
  /** `lifted` (default): the load is the point of the test, the rate limits have their own tests. `production`: the defaults. */
  limits?: 'lifted' | 'production'
  env?: Record<string, string>
}): Promise<ServiceProcess> {
  return startService(`session:${options.port}`, SESSION_SERVER_MAIN_MODULE, options.port, 'session server listening', {
    ...common,
    PORT: String(options.port),
    PUBLIC_HOST: `127.0.0.1:${options.port}`,
    BACKEND_URL: options.backendUrl,
    ...(options.limits === 'production' ? {} : { MESSAGE_RATE_PER_MINUTE: '1000000', MESSAGE_BURST: '100000', FRAMES_PER_SECOND: '100000' }),
    ...options.env,
  })
}

async function startService(
  name: string,
  mainModule: string,
  port: number,
  readyMessage: string,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', mainModule], {
    // The service's own workspace (src/main.ts → its package), as `npm start` runs it.
    cwd: dirname(dirname(mainModule)),
    // Only what the service needs, plus PATH: the developer's own settings must not leak in.
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  let ready: () => void = () => {}
  const readyLine = new Promise<void>((resolve) => (ready = resolve))
  let partial = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n')
    partial = parts.pop() ?? ''
    for (const line of parts) {
      lines.push(line)
      if (logMessage(line) === readyMessage) ready()
    }
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => lines.push(chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  const service: ServiceProcess = {
    name,
    pid: child.pid!,
    host: `127.0.0.1:${port}`,
    exited,
    output: () => lines.join('\n'),
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
  }

  started.push(service)
  let timer: NodeJS.Timeout | undefined
  const failure = Promise.race([
    exited.then(({ code, signal }) => `exited (${code ?? signal}) before it was ready`),
    new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`not ready after ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS))),
  ])
  const outcome = await Promise.race([readyLine.then(() => undefined), failure])
  clearTimeout(timer)
  if (outcome !== undefined) {
    await service.kill('SIGKILL')
    throw new Error(`${name} ${outcome}:\n${service.output()}`)
  }
  const health = await fetch(`http://${service.host}/healthz`)
  if (!health.ok) {
    await service.kill('SIGKILL')
    throw new Error(`${name}: /healthz answered ${health.status}`)
  }
  return service
}

function logLevel(line: string): number | undefined {
  try {
    const parsed = JSON.parse(line) as { level?: unknown }
    return typeof parsed.level === 'number' ? parsed.level : undefined
  } catch {
    return undefined
  }
}

function logMessage(line: string): string | undefined {
  try {
    const parsed = JSON.parse(line) as { msg?: unknown }
    return typeof parsed.msg === 'string' ? parsed.msg : undefined
  } catch {
    return undefined
  }
}
