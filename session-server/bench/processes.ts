/**
 * The processes a benchmark run starts: the project (the real backend and session server, each its
 * production bundle, `dist/main.js`) and the baseline server (bundled likewise, `bundles.ts`). Each
 * is a child process of `node` itself (no wrapper process, so the PID we measure is the server)
 * with an IPC channel for `probe.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { fileURLToPath } from 'node:url'
import { bundles, type Bundles } from './bundles.js'
import { ProbeReply } from './tasks.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const STARTUP_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 15_000

export interface ProcessOptions {
  /** Write a V8 CPU profile of this process into the folder when it exits. */
  cpuProfileDir?: string
}

export class ServerProcess {
  private output = ''
  readonly exited: Promise<number | null>

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    // Both streams are read (a full pipe would block the server) and their tail kept for errors.
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-4000)
    }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)))
  }

  /** RSS, heap and CPU time of the process, after a full GC. */
  probe(collect = true): Promise<ProbeReply> {
    return new Promise((resolve, reject) => {
      const onMessage = (raw: unknown) => {
        const reply = ProbeReply.safeParse(raw)
        if (!reply.success) return
        this.child.off('message', onMessage)
        resolve(reply.data)
      }
      this.child.on('message', onMessage)
      if (!this.child.send(collect ? 'probe' : 'probe-cpu')) reject(new Error(`${this.name}: cannot probe (exited?)`))
    })
  }

  /** The last lines it wrote (its log, at the default level, as in production). */
  get recentErrors(): string {
    return this.output.trim()
  }

  /**
   * Sends `signal` now and resolves when the process has exited: the storm's crash (SIGKILL, no
   * drain, no CPU profile) or drain (SIGTERM), timed from the moment it is sent.
   */
  kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal)
    return this.exited
  }

  /** SIGTERM (a graceful drain, which also writes the CPU profile), SIGKILL if that takes too long. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS)
    await this.exited
    clearTimeout(timer)
  }
}

/** Starts `built[bundle]` with the probe preloaded. */
function startNode(
  name: string,
  built: Bundles,
  bundle: Exclude<keyof Bundles, 'probe'>,
  env: Record<string, string>,
  options: ProcessOptions,
): ServerProcess {
  // One folder per process, named after it: Node names a profile by date and PID alone.
  const profile = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}/${name}`] : []
  const child = spawn(process.execPath, ['--expose-gc', ...profile, '--import', built.probe, built[bundle]], {
    cwd: ROOT,
    // As production runs it: NODE_ENV=production and the default log level and format, whatever the
    // shell that started the bench says (a LOG_LEVEL=debug left in it would measure the logger).
    env: { ...withoutLogSettings(process.env), ...env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  return new ServerProcess(name, child)
}

/** Every server logs at its default level and format, as `SERVERS_AS_IN_PRODUCTION` says. */
function withoutLogSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { LOG_LEVEL: _level, LOG_FORMAT: _format, ...rest } = env
  return rest
}

/** What the run prints about how it ran the servers. */
export const SERVERS_AS_IN_PRODUCTION =
  'servers as production runs them: their built bundles (node dist/main.js), NODE_ENV=production, default log level (info) and format (JSON), logs to a pipe the harness drains'

/** A port that was free a moment ago (both servers must know each other's address before starting). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

/** Polls `url` until it answers 200; fails early if the process exits. */
async function waitUntilUp(url: string, server: ServerProcess): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS
  let exited = false
  void server.exited.then(() => (exited = true))
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${server.name} exited during start-up: ${server.recentErrors}`)
    const ok = await fetch(url).then((r) => r.ok, () => false)
    if (ok) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${server.name} did not answer ${url} within ${STARTUP_TIMEOUT_MS} ms: ${server.recentErrors}`)
}

export interface ProjectStack {
  backendUrl: string
  /** The session server's address, as the backend places rooms on it (the internal API's `host`). */
  sessionHost: string
  /** The internal API's bearer token: the board workload reads what storage holds through it. */
  serviceToken: string
  /**
   * The session server's group commits so far, from its `/metrics` (`commit_duration_seconds`):
   * each commit's round trip to the backend and its storage, as the server timed it.
   */
  commits(): Promise<{ count: number; seconds: number }>
  /**
   * The backend's room-token signing key (PEM): the memory workload signs tokens for thousands of
   * users of its own, as the backend would, instead of making each user an account.
   */
  roomTokenKey: string
  backend: ServerProcess
  /** The session server started with the stack, at `sessionHost`. */
  session: ServerProcess
  /**
   * Addresses the backend lists in SESSION_SERVER_HOST beside `sessionHost` with no server started
   * on them (`standbySessionServers`): the storm starts one once its rooms are placed.
   */
  standbyHosts: string[]
  /**
   * Starts a session server at one of the stack's addresses (a standby, or one whose server was
   * killed), configured as the first; resolves once it answers (it registers before it listens).
   * `stop()` stops it with the rest.
   */
  startSessionServer(host: string): Promise<ServerProcess>
  stop(): Promise<void>
}

/**
 * The backend (PGlite in a temporary folder, or Postgres at `databaseUrl`) and one session server,
 * configured for load: the auth and message rate limits are lifted (a benchmark sends far more than
 * a person), rooms never unload mid-run, and tokens outlive the run. Everything else is default.
 */
export async function startProject(
  options: ProcessOptions & {
    databaseUrl?: string
    label: string
    /**
     * `lifted` (default): a benchmark's users send far more than people. `production`: the
     * session server's per-user limits stay at their defaults (the abuse workload), except the
     * message rate, so that the victim can sample its latency ten times a second.
     */
    perUserLimits?: 'lifted' | 'production'
    /**
     * More session server addresses for the backend's LocalScheduler, not started (`standbyHosts`).
     * Down when the backend starts, so every room goes to `sessionHost` until one is started.
     */
    standbySessionServers?: number
    /** ALLOW_GUESTS: the storm's thousands of clients are guests (no scrypt per user, see storm.ts). */
    guests?: boolean
  },
): Promise<ProjectStack> {
  // Built before anything is made that a failed build would leave behind (the data folder).
  const built = await bundles()
  const [backendPort, sessionPort] = [await freePort(), await freePort()]
  const standbyPorts: number[] = []
  for (let i = 0; i < (options.standbySessionServers ?? 0); i++) standbyPorts.push(await freePort())
  const serviceToken = randomBytes(32).toString('hex')
  const roomTokenKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const dataDir = mkdtempSync(`${tmpdir()}/scalable-chat-bench-`)
  const sessionHost = `127.0.0.1:${sessionPort}`
  const standbyHosts = standbyPorts.map((port) => `127.0.0.1:${port}`)
  const backendUrl = `http://127.0.0.1:${backendPort}`
  const backend = startNode(`backend-${options.label}`, built, 'backend', {
    JWT_SECRET: randomBytes(32).toString('hex'),
    SERVICE_TOKEN: serviceToken,
    ROOM_TOKEN_PRIVATE_KEY: roomTokenKey,
    PORT: String(backendPort),
    BIND_ADDRESS: '127.0.0.1',
    DATA_DIR: dataDir,
    DATABASE_URL: options.databaseUrl ?? '',
    SESSION_SERVER_HOST: [sessionHost, ...standbyHosts].join(','),
    MAX_ROOMS_PER_SERVER: '100000',
    // The setup creates and joins rooms by the hundred before anyone connects: not what is measured.
    MAX_PENDING_PLACEMENTS_PER_USER: '100000000',
    ROOMS_PER_USER_PER_HOUR: '100000000',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
    ROOM_TOKEN_TTL_SECONDS: '3600',
    ALLOW_GUESTS: options.guests ? 'true' : 'false',
  }, options)
  const stopBackend = async () => {
    await backend.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
  try {
    await waitUntilUp(`${backendUrl}/healthz`, backend)
  } catch (error) {
    await stopBackend()
    throw error
  }
  const metricsToken = randomBytes(16).toString('hex')
  const sessionEnv = {
    SERVICE_TOKEN: serviceToken,
    METRICS_TOKEN: metricsToken,
    BIND_ADDRESS: '127.0.0.1',
    BACKEND_URL: backendUrl,
    MESSAGE_RATE_PER_MINUTE: '100000000',
    MESSAGE_BURST: '100000000',
    // Member i of every room is user i, opening and sending far more than a person: the
    // per-user limits would measure themselves.
    ...(options.perUserLimits === 'production'
      ? {}
      : {
          FRAMES_PER_SECOND: '100000000',
          MAX_CONNECTIONS_PER_USER: '100000000',
          CONNECTS_PER_USER_PER_MINUTE: '100000000',
          MAX_CONNECTIONS: '100000000',
        }),
    ROOM_UNLOAD_GRACE_MS: '3600000',
  }
  const running = new Set<ServerProcess>()
  let started = 0
  const startSessionServer = async (host: string): Promise<ServerProcess> => {
    if (host !== sessionHost && !standbyHosts.includes(host)) throw new RangeError(`${host} is not one of this stack's session server addresses`)
    const port = host.slice(host.lastIndexOf(':') + 1)
    // A name of its own per start: each writes its CPU profile into a folder of that name.
    const name = `session-server-${options.label}${started++ === 0 ? '' : `-${started}`}`
    const server = startNode(name, built, 'session', { ...sessionEnv, PORT: port, PUBLIC_HOST: host }, options)
    running.add(server)
    void server.exited.then(() => running.delete(server))
    try {
      await waitUntilUp(`http://${host}/healthz`, server)
    } catch (error) {
      await server.stop()
      throw error
    }
    return server
  }
  const stop = async () => {
    await Promise.all([...running].map((server) => server.stop()))
    await stopBackend()
  }
  let session: ServerProcess
  try {
    session = await startSessionServer(sessionHost)
  } catch (error) {
    await stop()
    throw error
  }
  const commits = async () => {
    const response = await fetch(`http://${sessionHost}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })
    if (!response.ok) throw new Error(`${sessionHost}/metrics answered ${response.status}`)
    return commitFigures(await response.text())
  }
  return { backendUrl, sessionHost, serviceToken, roomTokenKey, backend, session, standbyHosts, startSessionServer, commits, stop }
}

/** `commit_duration_seconds`' count and sum in a Prometheus text exposition. */
export function commitFigures(exposition: string): { count: number; seconds: number } {
  const value = (name: string) => {
    const line = exposition.split('\n').find((l) => l.startsWith(`${name} `))
    if (line === undefined) throw new Error(`${name} is not in the session server's metrics`)
    return Number(line.slice(name.length + 1))
  }
  return { count: value('commit_duration_seconds_count'), seconds: value('commit_duration_seconds_sum') }
}

export interface Baseline {
  url: string
  server: ServerProcess
}

export async function startBaseline(options: ProcessOptions): Promise<Baseline> {
  const port = await freePort()
  const server = startNode('baseline', await bundles(), 'baseline', { PORT: String(port) }, options)
  // It answers every plain HTTP request with 404: that it answers at all means it is up.
  const deadline = Date.now() + STARTUP_TIMEOUT_MS
  while (!(await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false))) {
    if (Date.now() > deadline || server.child.exitCode !== null) throw new Error(`baseline did not start: ${server.recentErrors}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { url: `ws://127.0.0.1:${port}`, server }
}
