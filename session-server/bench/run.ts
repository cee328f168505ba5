/**
 * `npm run bench` (root): runs every workload against the project and the baseline in the same run,
 * each load in its own forked process, prints a Markdown table and writes the figures as JSON to
 * `bench-results/`. Exits 1 when a workload fails (loses or refuses messages, times out); timing
 * never fails a run.
 *
 *   npm run bench                       the full run (a few minutes)
 *   npm run bench -- --smoke            tiny counts, same code paths (CI)
 *   npm run bench -- --only=fanout      one workload (fanout, latency, memory, joins, handshakes, durability, ramp, flood)
 *   npm run bench -- --profile          V8 CPU profiles of the servers in bench-results/profiles/
 *
 * Durability (and the latency workload with it) also runs on Postgres when BENCH_DATABASE_URL (or
 * TEST_DATABASE_URL) is set.
 */
import { fork } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import type { AuthResponse, CreateRoomResponse } from '@scalable-chat/backend-contract'
import { startBaseline, startProject, type Baseline, type ProjectStack, type ServerProcess } from './processes.js'
import { formatTable, meetsTarget, type Row } from './report.js'
import { FULL, SMOKE, type FanoutSize } from './sizes.js'
import { percentile } from './stats.js'
import { FromWorker, type FanoutResult, type FloodResult, type IdleResult, type RateResult, type Target, type Task, type ToWorker } from './tasks.js'

const WORKLOADS = ['memory', 'handshakes', 'joins', 'latency', 'fanout', 'ramp', 'durability', 'flood'] as const
type Workload = (typeof WORKLOADS)[number]

const { values: flags } = parseArgs({
  options: { smoke: { type: 'boolean', default: false }, profile: { type: 'boolean', default: false }, only: { type: 'string' } },
})
const only = flags.only?.split(',') ?? [...WORKLOADS]
const unknown = only.filter((name) => !(WORKLOADS as readonly string[]).includes(name))
if (unknown.length > 0) {
  console.error(`--only: unknown workload ${unknown.join(', ')}; expected ${WORKLOADS.join(', ')}`)
  process.exit(2)
}
const enabled = (name: Workload) => only.includes(name)
const sizes = flags.smoke ? SMOKE : FULL
const RESULTS_DIR = fileURLToPath(new URL('../../bench-results/', import.meta.url))
const cpuProfileDir = flags.profile ? `${RESULTS_DIR}profiles` : undefined
const postgresUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined
const WORKER = fileURLToPath(new URL('./loadWorker.ts', import.meta.url))
/** A worker gets this long beyond its task's own timeout (setup and teardown) before it is killed. */
const WORKER_GRACE_MS = 60_000

const rows: Row[] = []
const raw: Record<string, unknown> = {}

/** Runs one task in a fresh load-generator process. `onReady` is for `idle`: measure, then it finishes. */
function runWorker<R>(task: Task, onReady?: () => Promise<void>): Promise<R> {
  return new Promise((resolve, reject) => {
    const worker = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    const timer = setTimeout(() => {
      worker.kill('SIGKILL')
      reject(new Error(`load generator did not finish within ${task.timeoutMs + WORKER_GRACE_MS} ms`))
    }, task.timeoutMs + WORKER_GRACE_MS)
    let settled = false
    const settle = (fn: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      fn()
    }
    worker.on('message', (rawMessage) => {
      const message = FromWorker.safeParse(rawMessage)
      if (!message.success) return settle(() => reject(new Error(`unexpected message from the load generator: ${message.error.message}`)))
      const data = message.data
      switch (data.type) {
        case 'ready':
          void (onReady ?? (async () => {}))().then(
            () => worker.send({ type: 'finish' } satisfies ToWorker),
            (error: unknown) => settle(() => reject(error)),
          )
          return
        case 'result':
          return settle(() => resolve(data.result as R))
        case 'failed':
          return settle(() => reject(new Error(data.error)))
      }
    })
    worker.on('exit', (code) => settle(() => reject(new Error(`load generator exited (${code}) without a result`))))
    worker.send({ type: 'run', task } satisfies ToWorker)
  })
}

/** The project's HTTP API, for setting up users and rooms (not measured). */
class ProjectSetup {
  readonly userTokens: string[] = []
  private rooms = 0

  constructor(private readonly stack: ProjectStack) {}

  private async api<T>(path: string, body: unknown, token?: string): Promise<T> {
    const response = await fetch(`${this.stack.backendUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    })
    if (!response.ok) throw new Error(`POST ${path}: HTTP ${response.status} ${await response.text()}`)
    return (await response.json()) as T
  }

  /** At least `count` registered users (registration is scrypt: a few at a time). */
  async users(count: number): Promise<string[]> {
    const prefix = `bench${Date.now().toString(36)}`
    while (this.userTokens.length < count) {
      const batch = Array.from({ length: Math.min(8, count - this.userTokens.length) }, (_, i) => this.userTokens.length + i)
      const tokens = await Promise.all(
        batch.map((n) => this.api<AuthResponse>('/api/register', { username: `${prefix}_${n}`, password: 'benchmark-password' })),
      )
      this.userTokens.push(...tokens.map((t) => t.token))
    }
    return this.userTokens.slice(0, count)
  }

  /** `count` new, empty rooms. */
  async newRooms(count: number): Promise<string[]> {
    const [owner] = await this.users(1)
    const ids: string[] = []
    for (let i = 0; i < count; i++) {
      ids.push((await this.api<CreateRoomResponse>('/api/rooms', { name: `bench ${++this.rooms}` }, owner)).roomId)
    }
    return ids
  }

  async target(rooms: number, members: number): Promise<Target> {
    return { kind: 'project', backendUrl: this.stack.backendUrl, userTokens: await this.users(members), roomIds: await this.newRooms(rooms) }
  }
}

let baselineRooms = 0
function baselineTarget(baseline: Baseline, rooms: number): Target {
  return { kind: 'baseline', url: baseline.url, roomIds: Array.from({ length: rooms }, () => `room-${++baselineRooms}`) }
}

interface FanoutFigures {
  result: FanoutResult
  deliveriesPerSecond: number
  /** Server CPU time per delivery, µs (the session server's or the baseline's own process). */
  serverCpuUsPerDelivery: number
  /** The project's backend (group commits), µs per stored message. */
  backendCpuUsPerMessage?: number
}

async function fanout(target: Target, size: FanoutSize, server: ServerProcess, backend?: ServerProcess): Promise<FanoutFigures> {
  const task: Task = { kind: 'fanout', target, members: size.members, messagesPerSender: size.messagesPerSender, window: size.window, timeoutMs: sizes.timeoutMs }
  const [before, backendBefore] = await Promise.all([server.probe(false), backend?.probe(false)])
  const result = await runWorker<FanoutResult>(task)
  const [after, backendAfter] = await Promise.all([server.probe(false), backend?.probe(false)])
  const messages = target.roomIds.length * size.messagesPerSender
  return {
    result,
    deliveriesPerSecond: result.deliveries / (result.durationMs / 1000),
    serverCpuUsPerDelivery: (after.cpuUs - before.cpuUs) / Math.max(1, result.deliveries),
    ...(backendBefore && backendAfter ? { backendCpuUsPerMessage: (backendAfter.cpuUs - backendBefore.cpuUs) / messages } : {}),
  }
}

function fanoutFailure(figures: Pick<FanoutFigures, 'result'>[]): string | undefined {
  const problems = figures.flatMap((f) => f.result.problems)
  return problems.length > 0 ? problems.slice(0, 3).join('; ') : undefined
}

/** Runs one workload; a failure is recorded as a row and the run carries on. */
async function workload(name: Workload, body: () => Promise<void>): Promise<void> {
  if (!enabled(name)) return
  const started = Date.now()
  process.stderr.write(`bench: ${name}…`)
  try {
    await body()
    process.stderr.write(` ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    process.stderr.write(` FAILED: ${message}\n`)
    rows.push({ workload: name, metric: 'run', failure: message })
  }
}

async function main(): Promise<number> {
  if (cpuProfileDir) mkdirSync(cpuProfileDir, { recursive: true })
  const baseline = await startBaseline({ cpuProfileDir })
  const stack = await startProject({ cpuProfileDir, label: 'pglite' }).catch(async (error: unknown) => {
    await baseline.server.stop()
    throw error
  })
  const setup = new ProjectSetup(stack)
  try {
    await workload('memory', async () => {
      const { rooms, members } = sizes.memory
      const perConnection = async (target: Target, server: ServerProcess) => {
        const before = await server.probe()
        let after = before
        const result = await runWorker<IdleResult>({ kind: 'idle', target, members, timeoutMs: sizes.timeoutMs }, async () => {
          after = await server.probe()
        })
        const kib = (bytes: number) => bytes / 1024 / result.connections
        return { rss: kib(after.rss - before.rss), heap: kib(after.heapUsed - before.heapUsed) }
      }
      const projectTarget = await setup.target(rooms, members)
      const project = await perConnection(projectTarget, stack.session)
      const base = await perConnection(baselineTarget(baseline, rooms), baseline.server)
      raw.memory = { project, baseline: base }
      const workload = `memory (${rooms * members} idle)`
      rows.push({ workload, metric: 'RSS KiB / connection', project: project.rss, baseline: base.rss, target: { bound: 'max', value: 1.3, of: 'ratio' } })
      // After a full GC: what the connections retain, steadier than RSS (which moves with the allocator).
      rows.push({ workload, metric: 'live heap KiB / connection (after GC)', project: project.heap, baseline: base.heap })
    })

    await workload('handshakes', async () => {
      const { count, concurrency, users } = sizes.handshakes
      // Server CPU per handshake too: the rate depends on what else the machine runs, this much less.
      const run = async (target: Target, server: ServerProcess) => {
        const before = await server.probe(false)
        const result = await runWorker<RateResult>({ kind: 'handshakes', target, count, concurrency, timeoutMs: sizes.timeoutMs })
        const after = await server.probe(false)
        return { ...result, serverCpuUsPerHandshake: (after.cpuUs - before.cpuUs) / Math.max(1, result.completed) }
      }
      const project = await run(await setup.target(1, users), stack.session)
      const base = await run(baselineTarget(baseline, 1), baseline.server)
      raw.handshakes = { project, baseline: base }
      const failure = [project, base].find((r) => r.failed > 0)?.firstError
      rows.push({
        workload: 'handshakes',
        metric: 'WebSocket joins / s (token check → snapshot)',
        project: project.completed / (project.durationMs / 1000),
        baseline: base.completed / (base.durationMs / 1000),
        ...(failure ? { failure } : {}),
      })
      rows.push({
        workload: 'handshakes',
        metric: 'server CPU µs / handshake',
        project: project.serverCpuUsPerHandshake,
        baseline: base.serverCpuUsPerHandshake,
      })
    })

    await workload('joins', async () => {
      const { users, rooms, warmup, requests, concurrency } = sizes.joins
      const target = await setup.target(rooms, users)
      if (target.kind !== 'project') throw new Error('unreachable')
      const pairs = target.userTokens.length * target.roomIds.length
      const run = async (count: number) => {
        const before = await stack.backend.probe(false)
        const result = await runWorker<RateResult>({ kind: 'joins', backendUrl: target.backendUrl, userTokens: target.userTokens, roomIds: target.roomIds, requests: count, concurrency, timeoutMs: sizes.timeoutMs })
        const after = await stack.backend.probe(false)
        return { ...result, backendCpuUsPerJoin: (after.cpuUs - before.cpuUs) / Math.max(1, result.completed) }
      }
      // Each (user, room) pair's first join also records the membership (one upsert); every later
      // join, such as a reconnect storm after a session server dies, is placement + token only.
      const first = await run(pairs)
      // Unmeasured: a long-running backend has its join path compiled by the JIT by now.
      await run(warmup)
      const repeat = await run(requests)
      raw.joins = { first, repeat }
      const failed = (r: RateResult) => (r.failed > 0 ? { failure: `${r.failed} failed: ${r.firstError}` } : {})
      const perSecond = (r: RateResult) => r.completed / (r.durationMs / 1000)
      rows.push({ workload: 'joins', metric: `GET /api/rooms/:roomId / s (first join of each of ${pairs} user×room pairs)`, project: perSecond(first), ...failed(first) })
      rows.push({ workload: 'joins', metric: 'GET /api/rooms/:roomId / s (joins again)', project: perSecond(repeat), target: { bound: 'min', value: 5000, of: 'project' }, ...failed(repeat) })
      rows.push({ workload: 'joins', metric: 'backend CPU µs / first join', project: first.backendCpuUsPerJoin })
      rows.push({ workload: 'joins', metric: 'backend CPU µs / join again', project: repeat.backendCpuUsPerJoin })
      // What one backend process could serve with a core to itself (the load generator and the
      // other servers share this machine's cores during the run).
      rows.push({ workload: 'joins', metric: 'joins again / s per backend core (10⁶ / CPU µs)', project: 1e6 / repeat.backendCpuUsPerJoin })
    })

    /** The project (on PGlite unless `on` says otherwise) against the baseline, one row per figure. */
    const compareFanout = async (label: string, size: FanoutSize, targets: { deliveries?: boolean; p99?: boolean }, on = { stack, setup }) => {
      const project = await fanout(await on.setup.target(size.rooms, size.members), size, on.stack.session, on.stack.backend)
      const base = await fanout(baselineTarget(baseline, size.rooms), size, baseline.server)
      raw[label] = { project, baseline: base }
      const failure = fanoutFailure([project, base])
      const common = { workload: label, ...(failure ? { failure } : {}) }
      rows.push(
        { ...common, metric: 'deliveries / s', project: project.deliveriesPerSecond, baseline: base.deliveriesPerSecond, ...(targets.deliveries ? { target: { bound: 'min', value: 0.9, of: 'ratio' } as const } : {}) },
        { ...common, metric: 'latency p50 ms', project: project.result.p50Ms, baseline: base.result.p50Ms },
        { ...common, metric: 'latency p99 ms', project: project.result.p99Ms, baseline: base.result.p99Ms, ...(targets.p99 ? { target: { bound: 'max', value: 1.5, of: 'ratio' } as const } : {}) },
        { ...common, metric: 'server CPU µs / delivery', project: project.serverCpuUsPerDelivery, baseline: base.serverCpuUsPerDelivery },
      )
    }

    await workload('latency', async () => {
      const { rooms, members } = sizes.latency
      await compareFanout(`latency (${rooms}×${members}, 1 in flight)`, sizes.latency, { p99: true })
    })

    await workload('fanout', async () => {
      const { rooms, members, messagesPerSender, window } = sizes.fanout
      await compareFanout(`fan-out (${rooms}×${members}, ${messagesPerSender} msgs, ${window} in flight)`, sizes.fanout, { deliveries: true, p99: true })
    })

    await workload('ramp', async () => {
      for (const step of sizes.ramp) {
        const project = await fanout(await setup.target(step.rooms, step.members), step, stack.session, stack.backend)
        const base = await fanout(baselineTarget(baseline, step.rooms), step, baseline.server)
        raw[`ramp ${step.rooms}×${step.members}`] = { project, baseline: base }
        const failure = fanoutFailure([project, base])
        const common = { workload: `ramp ${step.rooms} room(s) × ${step.members}`, ...(failure ? { failure } : {}) }
        rows.push(
          { ...common, metric: 'deliveries / s', project: project.deliveriesPerSecond, baseline: base.deliveriesPerSecond },
          { ...common, metric: 'latency p99 ms', project: project.result.p99Ms, baseline: base.result.p99Ms },
          { ...common, metric: 'server CPU µs / delivery', project: project.serverCpuUsPerDelivery, baseline: base.serverCpuUsPerDelivery },
        )
      }
    })

    await workload('durability', async () => {
      const size = sizes.durability
      const stored = async (on: ProjectStack, onSetup: ProjectSetup, database: string) => {
        const figures = await fanout(await onSetup.target(size.rooms, size.members), size, on.session, on.backend)
        raw[`durability ${database}`] = figures
        const failure = fanoutFailure([figures])
        rows.push({
          workload: `durability, ${database} (${size.rooms} rooms, ${size.window} in flight)`,
          metric: 'messages stored / s',
          project: figures.result.deliveries / size.members / (figures.result.durationMs / 1000),
          ...(failure ? { failure } : {}),
        })
        rows.push({ workload: `durability, ${database}`, metric: 'backend CPU µs / message', project: figures.backendCpuUsPerMessage })
      }
      await stored(stack, setup, 'PGlite')
      if (!postgresUrl) {
        process.stderr.write(' (Postgres skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL)')
        return
      }
      const pgStack = await startProject({ cpuProfileDir, databaseUrl: postgresUrl, label: 'postgres' })
      try {
        const pgSetup = new ProjectSetup(pgStack)
        await stored(pgStack, pgSetup, 'Postgres')
        // What the durability step costs a single message when the store is a real Postgres.
        const { rooms, members } = sizes.latency
        await compareFanout(`latency on Postgres (${rooms}×${members}, 1 in flight)`, sizes.latency, { p99: true }, { stack: pgStack, setup: pgSetup })
      } finally {
        await pgStack.stop()
      }
    })

    await workload('flood', async () => {
      const { rounds, members, messages, intervalMs, sockets } = sizes.flood
      // Its own stack: the per-user limits at their defaults, as in production.
      const floodStack = await startProject({ cpuProfileDir, label: 'flood', perUserLimits: 'production' })
      try {
        const floodSetup = new ProjectSetup(floodStack)
        const victim = await floodSetup.target(1, members)
        const [attackerRoom] = await floodSetup.newRooms(1)
        const attacker = (await floodSetup.users(members + 1))[members]!
        const victimTask: Task = { kind: 'fanout', target: victim, members, messagesPerSender: messages, window: 1, intervalMs, timeoutMs: sizes.timeoutMs }
        const floodTask: Task = { kind: 'flood', backendUrl: floodStack.backendUrl, userToken: attacker, roomId: attackerRoom!, sockets, timeoutMs: sizes.timeoutMs }
        const quiet: FanoutResult[] = []
        const flooded: FanoutResult[] = []
        const attacks: FloodResult[] = []
        for (let round = 0; round < rounds; round++) {
          quiet.push(await runWorker<FanoutResult>(victimTask))
          attacks.push(
            await runWorker<FloodResult>(floodTask, async () => {
              flooded.push(await runWorker<FanoutResult>(victimTask))
            }),
          )
        }
        raw.flood = { quiet, flooded, attacks }
        const failure = fanoutFailure([...quiet, ...flooded].map((result) => ({ result })))
        const label = `flood (victim: 1×${members}, ${1000 / intervalMs} msgs/s; one account: ${sockets} sockets, one token)`
        const common = { workload: label, ...(failure ? { failure } : {}) }
        /** Median of the rounds' figures, and their range in the metric's words. */
        const summary = (results: FanoutResult[], pick: (r: FanoutResult) => number) => {
          const values = results.map(pick).sort((a, b) => a - b)
          return { median: percentile(values, 0.5), range: `${values[0]!.toFixed(1)}–${values.at(-1)!.toFixed(1)}` }
        }
        const rowsOf = (name: string, pick: (r: FanoutResult) => number, bound: number) => {
          const [calm, busy] = [summary(quiet, pick), summary(flooded, pick)]
          rows.push(
            { ...common, metric: `victim ${name} ms, quiet (median of ${rounds}, ${calm.range})`, project: calm.median },
            { ...common, metric: `victim ${name} ms, during the flood (median of ${rounds}, ${busy.range})`, project: busy.median },
            { ...common, metric: `victim ${name}: during ÷ quiet`, project: busy.median / calm.median, target: { bound: 'max', value: bound, of: 'project' } },
          )
        }
        rowsOf('p50', (r) => r.p50Ms, 3)
        rowsOf('p99', (r) => r.p99Ms, 5)
        const seconds = attacks.reduce((sum, a) => sum + a.durationMs, 0) / 1000
        const total = (pick: (a: FloodResult) => Record<string, number>) =>
          Object.entries(attacks.reduce<Record<string, number>>((sum, a) => {
            for (const [key, n] of Object.entries(pick(a))) sum[key] = (sum[key] ?? 0) + n
            return sum
          }, {})).map(([key, n]) => `${key}×${n}`).join(', ') || 'none'
        rows.push(
          { ...common, metric: `attacker sockets let into its room, of the first ${sockets} (median)`, project: percentile(attacks.map((a) => a.admittedAtStart).sort((a, b) => a - b), 0.5) },
          { ...common, metric: 'attacker frames written / s', project: attacks.reduce((sum, a) => sum + a.framesSent, 0) / seconds },
          { ...common, metric: `attacker sockets closed by the server (codes: ${total((a) => a.closes)})`, project: attacks.reduce((sum, a) => sum + Object.values(a.closes).reduce((x, y) => x + y, 0), 0) },
          { ...common, metric: `attacker reconnects refused (HTTP: ${total((a) => a.refusedHandshakes)})`, project: attacks.reduce((sum, a) => sum + Object.values(a.refusedHandshakes).reduce((x, y) => x + y, 0), 0) },
        )
      } finally {
        await floodStack.stop()
      }
    })
  } finally {
    await Promise.all([stack.stop(), baseline.server.stop()])
  }

  const table = formatTable(rows)
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform} ${process.arch}` }
  const date = new Date().toISOString()
  console.log(`\n${table}\n\n${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, ${date}${flags.smoke ? ' (smoke: tiny counts, figures mean nothing)' : ''}`)
  mkdirSync(RESULTS_DIR, { recursive: true })
  const file = `${RESULTS_DIR}bench-${date.replace(/[:.]/g, '-')}${flags.smoke ? '-smoke' : ''}.json`
  writeFileSync(file, `${JSON.stringify({ date, machine, smoke: flags.smoke, sizes, rows: rows.map((r) => ({ ...r, met: meetsTarget(r) })), raw }, null, 2)}\n`)
  console.log(`results: ${file}`)
  const failures = rows.filter((r) => r.failure)
  return failures.length > 0 ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error)
    process.exit(1)
  },
)
