/**
 * WebSocket handshakes per second and the server CPU each costs: the project against the baseline,
 * `rounds` times, the two in turn (which goes first alternates, so neither always meets a machine
 * the other warmed or loaded). Each round's ratio is taken within the round: on a shared machine
 * the speed drifts between rounds far more than it does within one. Both first serve one round
 * unmeasured: a running server is warm, and the first thousands of handshakes measure the JIT.
 */
import type { ServerProcess } from '../processes.js'
import { runWorker } from '../runWorker.js'
import { baselineTarget } from '../setup.js'
import { medianAndRange } from '../stats.js'
import type { RateResult, Target } from '../tasks.js'
import type { Bench } from './Bench.js'

interface HandshakeFigures extends RateResult {
  perSecond: number
  serverCpuUsPerHandshake: number
}

export async function handshakes({ sizes, stack, setup, baseline, rows, raw }: Bench): Promise<void> {
  const { rounds, count, concurrency, users } = sizes.handshakes
  // Server CPU per handshake too: the rate depends on what else the machine runs, this much less.
  const run = async (target: Target, server: ServerProcess): Promise<HandshakeFigures> => {
    const before = await server.probe(false)
    const result = await runWorker<RateResult>({ kind: 'handshakes', target, count, concurrency, timeoutMs: sizes.timeoutMs })
    const after = await server.probe(false)
    return {
      ...result,
      perSecond: result.completed / (result.durationMs / 1000),
      serverCpuUsPerHandshake: (after.cpuUs - before.cpuUs) / Math.max(1, result.completed),
    }
  }
  await run(await setup.target(1, users), stack.session)
  await run(baselineTarget(baseline, 1), baseline.server)
  const figures: { project: HandshakeFigures; baseline: HandshakeFigures }[] = []
  for (let round = 0; round < rounds; round++) {
    const target = await setup.target(1, users)
    const runProject = () => run(target, stack.session)
    const runBaseline = () => run(baselineTarget(baseline, 1), baseline.server)
    if (round % 2 === 0) {
      const project = await runProject()
      figures.push({ project, baseline: await runBaseline() })
    } else {
      const base = await runBaseline()
      figures.push({ project: await runProject(), baseline: base })
    }
  }
  raw.handshakes = figures
  const failure = figures.flatMap((f) => [f.project, f.baseline]).find((r) => r.failed > 0)?.firstError
  const common = { workload: 'handshakes', ...(failure ? { failure } : {}) }
  const of = `median of ${rounds}`
  const both = (metric: string, pick: (f: HandshakeFigures) => number) => {
    const project = medianAndRange(figures.map((f) => pick(f.project)), 0)
    const base = medianAndRange(figures.map((f) => pick(f.baseline)), 0)
    rows.push({ ...common, metric: `${metric} (${of}; ${project.range} vs ${base.range})`, project: project.median, baseline: base.median })
  }
  both('WebSocket joins / s (token check → snapshot)', (f) => f.perSecond)
  both('server CPU µs / handshake', (f) => f.serverCpuUsPerHandshake)
  const ratio = medianAndRange(figures.map((f) => f.project.serverCpuUsPerHandshake / f.baseline.serverCpuUsPerHandshake), 2)
  rows.push({
    ...common,
    metric: `server CPU / handshake, project ÷ baseline within a round (${of}, ${ratio.range})`,
    project: ratio.median,
    target: { bound: 'max', value: 1.5, of: 'project' },
  })
}
