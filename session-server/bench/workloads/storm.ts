/**
 * The reconnect storm: two session servers behind one backend (its LocalScheduler lists both, as
 * `SESSION_SERVER_HOST=a,b` does in production); every room on one of them with its clients
 * connected and messages flowing; then that server dies, by SIGKILL (a crash: sockets cut, no close
 * frame, nothing flushed) or SIGTERM (a drain: rooms stored and released, sockets closed with
 * 1012). Each client re-joins through the backend (`failedHost`, `rejoin=1`) and resumes on the
 * other server with `since`, as the web client does (`load/StormClient.ts`). Measured: the time
 * from the signal to each client's snapshot on the other server, and the backend's CPU per re-join.
 * Checked: every client came back, what each received continues its seqs by one (no gap, repeat or
 * disorder), and storage holds every acknowledged message once, at its seq, with no gap.
 *
 * On a stack of its own:
 * - The clients are guests: a user each, as people are (the per-user limits stay as shipped: one
 *   failedHost report a round is far below FAILED_HOST_REPORTS_PER_MINUTE, one or two connects
 *   below CONNECTS_PER_USER_PER_MINUTE), made in one INSERT each where an account costs an scrypt.
 * - The second server is started only once the rooms are placed, so that the backend puts them
 *   all on the first (a down server gets none); it registers, and from then on is where they go.
 *   Before the storm it serves handshakes of a room of its own (placed there: it holds the fewest
 *   rooms): a server that has been running is warm, and a cold one's first thousand handshakes
 *   (the JIT, first loads) would be measured instead of the fail-over (smoke runs: ~5 ms of CPU per
 *   client back instead of well under one).
 * - Rounds alternate SIGKILL and SIGTERM so that a machine getting busier weighs on both; the same
 *   rooms and clients every round: the survivor holds the rooms for the next one, the killed
 *   server is started again as its spare, and the logs grow (each round checks all of it again).
 */
import { randomBytes } from 'node:crypto'
import type { ProjectStack, ServerProcess } from '../processes.js'
import { startProject } from '../processes.js'
import { Phases } from '../Phases.js'
import { runWorker } from '../runWorker.js'
import { ProjectSetup } from '../setup.js'
import type { BenchSizes } from '../sizes.js'
import { medianAndRange, percentile } from '../stats.js'
import { logProblems, storedLog } from '../storedLog.js'
import type { Acknowledged, RateResult, StormResult, Task } from '../tasks.js'
import type { Bench } from './Bench.js'

type Signal = 'SIGKILL' | 'SIGTERM'

interface RoundFigures {
  signal: Signal
  /** ms from the signal to each client's snapshot on the other server, sorted. */
  p50Ms: number
  p99Ms: number
  maxMs: number
  clients: number
  notBack: number
  rejoins: number
  failedRejoins: number
  /** By close code. */
  failedOpens: Record<string, number>
  acknowledged: number
  acknowledgedBeforeKill: number
  unacknowledged: number
  refusedSends: number
  /** Backend CPU from the signal until everyone was back, per re-join request (retries included). */
  backendCpuUsPerRejoin: number
  /** The other server's CPU over the same time, per client that came back (handshake, room loads, fan-out). */
  newServerCpuUsPerClient: number
  /** CPU seconds from the signal until everyone was back: what the storm asked of the 2 cores. */
  cpuS: { backend: number; otherServer: number; clients: number }
  /** SIGTERM: how long the drained server took to exit. */
  exitMs: number
  problems: string[]
}

/** One room's clients: their user tokens; the first `sendersPerRoom` of each send. */
interface StormClients {
  roomIds: string[]
  tokens: string[][]
}

/** Users of each warm-up room: its handshakes stay within CONNECTS_PER_USER_PER_MINUTE each. */
const WARMUP_USERS = 50
const WARMUP_CONCURRENCY = 8

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function stormRound(
  size: BenchSizes['storm'],
  timeoutMs: number,
  stack: ProjectStack,
  clients: StormClients,
  holder: ServerProcess,
  spareHost: string,
  signal: Signal,
  acknowledgedSoFar: Map<string, Acknowledged[]>,
  warmup: { roomId: string; tokens: string[] },
): Promise<{ figures: RoundFigures; survivor: ServerProcess }> {
  const run = `s${randomBytes(3).toString('hex')}`
  // Round-robin over the clients, so that every load process holds part of every room.
  const shares: Extract<Task, { kind: 'storm' }>['clients'][] = Array.from({ length: size.workers }, () => [])
  let n = 0
  clients.roomIds.forEach((roomId, room) =>
    clients.tokens[room]!.forEach((userToken, member) => shares[n++ % size.workers]!.push({ roomId, userToken, sender: member < size.sendersPerRoom })),
  )
  const phases = new Phases(size.workers)
  const workers = shares.map((share, w) =>
    runWorker<StormResult>(
      { kind: 'storm', backendUrl: stack.backendUrl, clients: share, run: `${run}w${w}`, sendIntervalMs: size.sendIntervalMs, backWithinMs: size.backWithinMs, timeoutMs },
      () => phases.arrive(w),
    ),
  )
  const all = Promise.all(workers)
  // Awaited below; a failure after the round gave up (the catch) must not crash the run.
  all.catch(() => {})
  try {
    await Promise.race([phases.whenAllReached(0), all])
    // Only now: every room is placed on `holder`, so the spare gets none of them before the storm.
    const spare = await stack.startSessionServer(spareHost)
    const warm = await runWorker<RateResult>({
      kind: 'handshakes',
      target: { kind: 'project', backendUrl: stack.backendUrl, userTokens: warmup.tokens, roomIds: [warmup.roomId] },
      count: size.warmupHandshakes,
      concurrency: WARMUP_CONCURRENCY,
      timeoutMs,
    })
    if (warm.failed > 0) throw new Error(`warming the other server up: ${warm.failed} handshakes failed: ${warm.firstError}`)
    phases.open(0)
    await sleep(size.flowMs)

    const [backendBefore, spareBefore] = await Promise.all([stack.backend.probe(false), spare.probe(false)])
    const signalledAt = Date.now()
    const exited = holder.kill(signal).then(() => Date.now() - signalledAt)
    await Promise.race([phases.whenAllReached(1), all])
    const [backendAfter, spareAfter] = await Promise.all([stack.backend.probe(false), spare.probe(false)])
    phases.open(1)
    const results = await all
    const exitMs = await exited

    const problems = results.flatMap((r) => r.problems)
    const problemCount = results.reduce((sum, r) => sum + r.problemCount, 0)
    if (problemCount > problems.length) problems.push(`… ${problemCount - problems.length} more`)
    const backAt = results.flatMap((r) => r.backAt)
    const early = backAt.filter((at) => at < signalledAt).length
    if (early > 0) problems.push(`${early} clients were cut off before the ${signal}`)
    const times = backAt.map((at) => at - signalledAt).sort((a, b) => a - b)
    const notBack = results.reduce((sum, r) => sum + r.notBack, 0)
    if (notBack > 0) problems.push(`${notBack} clients not back on the other server within ${size.backWithinMs} ms`)

    const acknowledged = results.flatMap((r) => r.acknowledged)
    for (const ack of acknowledged) {
      const room = acknowledgedSoFar.get(ack.roomId) ?? []
      room.push(ack)
      acknowledgedSoFar.set(ack.roomId, room)
    }
    // Every room's whole log, against every message acknowledged in it this round and before.
    for (const [room, roomId] of clients.roomIds.entries()) {
      const stored = await storedLog(stack.backendUrl, roomId, clients.tokens[room]![0]!)
      problems.push(...logProblems(roomId, stored, acknowledgedSoFar.get(roomId) ?? []))
    }
    const acknowledgedBeforeKill = acknowledged.filter((a) => a.at < signalledAt).length
    // Not a timing judgement: without messages in flight at the signal, the loss check checked nothing.
    if (acknowledgedBeforeKill === 0) problems.push(`no message was acknowledged before the ${signal}: the round checked nothing`)
    const sum = (pick: (r: StormResult) => number) => results.reduce((total, r) => total + pick(r), 0)
    const rejoins = sum((r) => r.rejoins)
    return {
      survivor: spare,
      figures: {
        signal,
        p50Ms: percentile(times, 0.5),
        p99Ms: percentile(times, 0.99),
        maxMs: times.at(-1) ?? Number.NaN,
        clients: sum((r) => r.clients),
        notBack,
        rejoins,
        failedRejoins: sum((r) => r.failedRejoins),
        failedOpens: results.reduce<Record<string, number>>((total, r) => {
          for (const [code, count] of Object.entries(r.failedOpens)) total[code] = (total[code] ?? 0) + count
          return total
        }, {}),
        acknowledged: acknowledged.length,
        acknowledgedBeforeKill,
        unacknowledged: sum((r) => r.unacknowledged),
        refusedSends: sum((r) => r.refusedSends),
        backendCpuUsPerRejoin: (backendAfter.cpuUs - backendBefore.cpuUs) / Math.max(1, rejoins),
        newServerCpuUsPerClient: (spareAfter.cpuUs - spareBefore.cpuUs) / Math.max(1, times.length),
        cpuS: {
          backend: (backendAfter.cpuUs - backendBefore.cpuUs) / 1e6,
          otherServer: (spareAfter.cpuUs - spareBefore.cpuUs) / 1e6,
          clients: sum((r) => r.cpuUs) / 1e6,
        },
        exitMs,
        problems,
      },
    }
  } catch (error) {
    phases.openAll(2)
    await Promise.allSettled(workers)
    throw error
  }
}

export async function storm(bench: Bench): Promise<void> {
  const { sizes, rows, raw, cpuProfileDir, stormDatabaseUrl } = bench
  const size = sizes.storm
  const stack = await startProject({
    cpuProfileDir,
    label: 'storm',
    perUserLimits: 'production',
    standbySessionServers: 1,
    guests: true,
    ...(stormDatabaseUrl ? { databaseUrl: stormDatabaseUrl } : {}),
  })
  const rounds: RoundFigures[] = []
  try {
    const setup = new ProjectSetup(stack)
    const roomIds = await setup.newRooms(size.rooms)
    const clients: StormClients = { roomIds, tokens: await setup.guests(roomIds, size.clientsPerRoom) }
    // A fresh one each round: it must be placed on that round's spare.
    const warmRoomIds = await setup.newRooms(size.rounds * 2)
    const warmTokens = await setup.guests(warmRoomIds, WARMUP_USERS)
    const acknowledgedSoFar = new Map<string, Acknowledged[]>()
    let holder = { server: stack.session, host: stack.sessionHost }
    let spareHost = stack.standbyHosts[0]!
    for (let round = 0; round < size.rounds; round++) {
      for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
        const warmup = { roomId: warmRoomIds[rounds.length]!, tokens: warmTokens[rounds.length]! }
        const { figures, survivor } = await stormRound(size, sizes.timeoutMs, stack, clients, holder.server, spareHost, signal, acknowledgedSoFar, warmup)
        rounds.push(figures)
        ;[holder, spareHost] = [{ server: survivor, host: spareHost }, holder.host]
      }
    }
  } finally {
    raw.storm = rounds
    await stack.stop()
  }
  report(size, rounds, rows, stormDatabaseUrl ? 'Postgres' : 'PGlite')
}

function report(size: BenchSizes['storm'], rounds: RoundFigures[], rows: Bench['rows'], database: string): void {
  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    const of = rounds.filter((r) => r.signal === signal)
    const problems = of.flatMap((r) => r.problems)
    const workload = `storm, ${signal === 'SIGKILL' ? 'SIGKILL' : 'SIGTERM drain'} (${size.rooms * size.clientsPerRoom} clients in ${size.rooms} rooms, ${size.rooms * size.sendersPerRoom} sending, ${database})`
    const common = { workload, ...(problems.length > 0 ? { failure: problems.slice(0, 3).join('; ') } : {}) }
    const figure = (metric: string, pick: (r: RoundFigures) => number, target?: Bench['rows'][number]['target']) => {
      const { median, range } = medianAndRange(of.map(pick))
      rows.push({ ...common, metric: `${metric} (median of ${of.length}, ${range})`, project: median, ...(target ? { target } : {}) })
    }
    const total = (metric: string, pick: (r: RoundFigures) => number) => rows.push({ ...common, metric, project: of.reduce((s, r) => s + pick(r), 0) })
    figure('signal → snapshot on the other server, p50 ms', (r) => r.p50Ms)
    figure('signal → snapshot on the other server, p99 ms', (r) => r.p99Ms, { bound: 'max', value: 2000, of: 'project' })
    figure('signal → snapshot on the other server, max ms', (r) => r.maxMs)
    figure('backend CPU µs / re-join (signal → everyone back)', (r) => r.backendCpuUsPerRejoin)
    figure('other server CPU µs / client back', (r) => r.newServerCpuUsPerClient)
    figure('re-join requests / client (retries included)', (r) => r.rejoins / Math.max(1, r.clients))
    // Where the time goes: the storm is CPU-bound, and every process of it shares the machine.
    figure('CPU s, signal → everyone back: backend', (r) => r.cpuS.backend)
    figure('CPU s, signal → everyone back: the other session server', (r) => r.cpuS.otherServer)
    figure('CPU s, signal → everyone back: the clients (load processes, not a server’s work)', (r) => r.cpuS.clients)
    const codes = new Map<string, number>()
    for (const r of of) for (const [code, count] of Object.entries(r.failedOpens)) codes.set(code, (codes.get(code) ?? 0) + count)
    const byCode = [...codes].map(([code, count]) => `${code}: ${count}`).join(', ') || 'none'
    figure(`opens that ended before a snapshot / client (all rounds by close code: ${byCode})`, (r) => Object.values(r.failedOpens).reduce((a, n) => a + n, 0) / Math.max(1, r.clients))
    total('messages acknowledged before the signal (all rounds)', (r) => r.acknowledgedBeforeKill)
    total('messages acknowledged (all rounds), every one stored once at its seq', (r) => r.acknowledged)
    total('sends refused and sent again (all rounds)', (r) => r.refusedSends)
    if (signal === 'SIGTERM') figure('drained server exited, ms after the signal', (r) => r.exitMs)
  }
}
