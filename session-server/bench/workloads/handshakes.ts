/** WebSocket handshakes per second and the server CPU each costs: the project against the baseline. */
import type { ServerProcess } from '../processes.js'
import { runWorker } from '../runWorker.js'
import { baselineTarget } from '../setup.js'
import type { RateResult, Target } from '../tasks.js'
import type { Bench } from './Bench.js'

export async function handshakes({ sizes, stack, setup, baseline, rows, raw }: Bench): Promise<void> {
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
}
