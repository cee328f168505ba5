/**
 * The backend's joins (`GET /api/rooms/:roomId`): first joins, joins again, re-joins after a crash,
 * and their CPU; on PGlite and, when a Postgres URL is given, on Postgres too.
 */
import { startProject, type ProjectStack } from '../processes.js'
import { runWorker } from '../runWorker.js'
import { ProjectSetup } from '../setup.js'
import type { RateResult } from '../tasks.js'
import type { Bench } from './Bench.js'

/**
 * The backend's `FAILED_HOST_REPORTS_PER_MINUTE`: a user's reports past it are ignored, so the
 * measured re-joins after a crash stay within it (each client of a crashed server reports once).
 */
const FAILED_HOST_REPORTS_PER_USER = 10
/** A host the rooms are not on, as a crashed server is once the first of its clients moved the room. */
const CRASHED_HOST = '127.0.0.1:9'

export async function joins(bench: Bench): Promise<void> {
  const { stack, setup, cpuProfileDir, postgresUrl } = bench
  await measureJoins(bench, stack, setup, 'joins')
  if (!postgresUrl) return
  const pgStack = await startProject({ cpuProfileDir, databaseUrl: postgresUrl, label: 'postgres' })
  try {
    await measureJoins(bench, pgStack, new ProjectSetup(pgStack), 'joins, Postgres')
  } finally {
    await pgStack.stop()
  }
}

async function measureJoins({ sizes, rows, raw }: Bench, stack: ProjectStack, setup: ProjectSetup, workload: string): Promise<void> {
  const { users, rooms, warmup, requests, concurrency } = sizes.joins
  const target = await setup.target(rooms, users)
  if (target.kind !== 'project') throw new Error('unreachable')
  // Rooms of the same shape, joined unmeasured first: a running backend has its join path compiled
  // by the JIT, first joins included (before, the measured first joins were the process's first
  // requests and measured its JIT as much as the joins).
  const warmupRoomIds = await setup.newRooms(rooms)
  const { userTokens, roomIds, backendUrl } = target
  const pairs = userTokens.length * roomIds.length
  const run = async (count: number, query = '', ids = roomIds) => {
    const before = await stack.backend.probe(false)
    const result = await runWorker<RateResult>({ kind: 'joins', backendUrl, userTokens, roomIds: ids, query, requests: count, concurrency, timeoutMs: sizes.timeoutMs })
    const after = await stack.backend.probe(false)
    return { ...result, backendCpuUsPerJoin: (after.cpuUs - before.cpuUs) / Math.max(1, result.completed) }
  }
  await run(pairs, '', warmupRoomIds)
  await run(warmup, '', warmupRoomIds)
  await run(warmup, '?rejoin=1', warmupRoomIds)
  // Each (user, room) pair's first join records the membership; the first join of each room also
  // places it.
  const first = await run(pairs)
  // Joins again, two kinds: someone opening a room they are in (a page reload: their read position
  // is read from storage), and a client reconnecting (`rejoin=1`, what the web client sends after a
  // closed socket: the tab knows where it was, and the join needs no statement).
  const opening = await run(requests)
  const repeat = await run(requests, '?rejoin=1')
  // Every client of a crashed server comes back with `failedHost`; the room has moved (the first
  // client back moved it), so the placement is answered from memory.
  const crashed = await run(userTokens.length * FAILED_HOST_REPORTS_PER_USER, `?failedHost=${encodeURIComponent(CRASHED_HOST)}&rejoin=1`)
  raw[workload] = { first, opening, repeat, crashed }
  const failed = (r: RateResult) => (r.failed > 0 ? { failure: `${r.failed} failed: ${r.firstError}` } : {})
  const perSecond = (r: RateResult) => r.completed / (r.durationMs / 1000)
  rows.push({ workload, metric: `GET /api/rooms/:roomId / s (first join of each of ${pairs} user×room pairs)`, project: perSecond(first), ...failed(first) })
  rows.push({ workload, metric: 'GET /api/rooms/:roomId / s (joins again: reconnects, rejoin=1)', project: perSecond(repeat), target: { bound: 'min', value: 5000, of: 'project' }, ...failed(repeat) })
  rows.push({ workload, metric: 'GET /api/rooms/:roomId / s (joins again: opening the room, read position read)', project: perSecond(opening), ...failed(opening) })
  rows.push({ workload, metric: 'GET /api/rooms/:roomId / s (re-joins after a crash: failedHost, rejoin=1)', project: perSecond(crashed), ...failed(crashed) })
  rows.push({ workload, metric: 'backend CPU µs / first join', project: first.backendCpuUsPerJoin })
  rows.push({ workload, metric: 'backend CPU µs / join again (reconnect)', project: repeat.backendCpuUsPerJoin })
  rows.push({ workload, metric: 'backend CPU µs / join again (opening the room)', project: opening.backendCpuUsPerJoin })
  rows.push({ workload, metric: 'backend CPU µs / re-join after a crash', project: crashed.backendCpuUsPerJoin })
  // What one backend process could serve with a core to itself (the load generator and the
  // other servers share this machine's cores during the run).
  rows.push({ workload, metric: 'first joins / s per backend core (10⁶ / CPU µs)', project: 1e6 / first.backendCpuUsPerJoin })
  rows.push({ workload, metric: 'joins again / s per backend core (10⁶ / CPU µs, reconnect)', project: 1e6 / repeat.backendCpuUsPerJoin })
}
