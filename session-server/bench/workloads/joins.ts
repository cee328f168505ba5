/** The backend's joins (`GET /api/rooms/:roomId`): first joins, then joins again, and their CPU. */
import { runWorker } from '../runWorker.js'
import type { RateResult } from '../tasks.js'
import type { Bench } from './Bench.js'

export async function joins({ sizes, stack, setup, rows, raw }: Bench): Promise<void> {
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
}
