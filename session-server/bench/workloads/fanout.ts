/**
 * The fan-out family: one sender per room, every member counting what it receives. The latency,
 * fan-out and ramp workloads are this with other sizes; durability and flood use its figures.
 */
import type { ProjectStack, ServerProcess } from '../processes.js'
import { runWorker } from '../runWorker.js'
import { baselineTarget, type ProjectSetup } from '../setup.js'
import type { FanoutSize } from '../sizes.js'
import type { FanoutResult, Target, Task } from '../tasks.js'
import type { Bench } from './Bench.js'

export interface FanoutFigures {
  result: FanoutResult
  deliveriesPerSecond: number
  /** Server CPU time per delivery, µs (the session server's or the baseline's own process). */
  serverCpuUsPerDelivery: number
  /** The project's backend (group commits), µs per stored message. */
  backendCpuUsPerMessage?: number
}

export async function measureFanout(target: Target, size: FanoutSize, timeoutMs: number, server: ServerProcess, backend?: ServerProcess): Promise<FanoutFigures> {
  const task: Task = { kind: 'fanout', target, members: size.members, messagesPerSender: size.messagesPerSender, window: size.window, timeoutMs }
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

export function fanoutFailure(figures: Pick<FanoutFigures, 'result'>[]): string | undefined {
  const problems = figures.flatMap((f) => f.result.problems)
  return problems.length > 0 ? problems.slice(0, 3).join('; ') : undefined
}

/** The project (on PGlite unless `on` says otherwise) against the baseline, one row per figure. */
export async function compareFanout(
  bench: Bench,
  label: string,
  size: FanoutSize,
  targets: { deliveries?: boolean; p99?: boolean },
  on: { stack: ProjectStack; setup: ProjectSetup } = bench,
): Promise<void> {
  const { sizes, baseline, rows, raw } = bench
  const project = await measureFanout(await on.setup.target(size.rooms, size.members), size, sizes.timeoutMs, on.stack.session, on.stack.backend)
  const base = await measureFanout(baselineTarget(baseline, size.rooms), size, sizes.timeoutMs, baseline.server)
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

export async function latency(bench: Bench): Promise<void> {
  const { rooms, members } = bench.sizes.latency
  await compareFanout(bench, `latency (${rooms}×${members}, 1 in flight)`, bench.sizes.latency, { p99: true })
}

export async function fanout(bench: Bench): Promise<void> {
  const { rooms, members, messagesPerSender, window } = bench.sizes.fanout
  await compareFanout(bench, `fan-out (${rooms}×${members}, ${messagesPerSender} msgs, ${window} in flight)`, bench.sizes.fanout, { deliveries: true, p99: true })
}

export async function ramp({ sizes, stack, setup, baseline, rows, raw }: Bench): Promise<void> {
  for (const step of sizes.ramp) {
    const project = await measureFanout(await setup.target(step.rooms, step.members), step, sizes.timeoutMs, stack.session, stack.backend)
    const base = await measureFanout(baselineTarget(baseline, step.rooms), step, sizes.timeoutMs, baseline.server)
    raw[`ramp ${step.rooms}×${step.members}`] = { project, baseline: base }
    const failure = fanoutFailure([project, base])
    const common = { workload: `ramp ${step.rooms} room(s) × ${step.members}`, ...(failure ? { failure } : {}) }
    rows.push(
      { ...common, metric: 'deliveries / s', project: project.deliveriesPerSecond, baseline: base.deliveriesPerSecond },
      { ...common, metric: 'latency p99 ms', project: project.result.p99Ms, baseline: base.result.p99Ms },
      { ...common, metric: 'server CPU µs / delivery', project: project.serverCpuUsPerDelivery, baseline: base.serverCpuUsPerDelivery },
    )
  }
}
