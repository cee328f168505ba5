/**
 * The fan-out family: one sender per room, every member counting what it receives. The latency,
 * fan-out and ramp workloads are this with other sizes; durability and flood use its figures.
 */
import type { ProjectStack, ServerProcess } from '../processes.js'
import { runWorker } from '../runWorker.js'
import { baselineTarget, type ProjectSetup } from '../setup.js'
import type { FanoutSize } from '../sizes.js'
import type { FanoutResult, Target, Task } from '../tasks.js'
import type { Row } from '../report.js'
import { medianAndRange } from '../stats.js'
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

/** The project against the baseline, one row per figure. */
async function compareFanout(bench: Bench, label: string, size: FanoutSize, targets: { deliveries?: boolean; p99?: boolean }): Promise<void> {
  const { sizes, stack, setup, baseline, rows, raw } = bench
  const project = await measureFanout(await setup.target(size.rooms, size.members), size, sizes.timeoutMs, stack.session, stack.backend)
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

/**
 * One message in flight, `rounds` times, the project and the baseline in turn: what a message costs
 * a person waiting for it. The project's p99 minus the baseline's is the durability step's cost
 * (a backend round trip and a commit before the broadcast); the session server's own timing of
 * its commits shows how much of it is that round trip.
 */
export async function compareLatency(bench: Bench, label: string, on: { stack: ProjectStack; setup: ProjectSetup } = bench): Promise<void> {
  const { sizes, baseline, rows, raw } = bench
  const { rounds, ...size } = sizes.latency
  const figures: { project: FanoutFigures; baseline: FanoutFigures; commitMs: number }[] = []
  for (let round = 0; round < rounds; round++) {
    const target = await on.setup.target(size.rooms, size.members)
    const commitsBefore = await on.stack.commits()
    const project = await measureFanout(target, size, sizes.timeoutMs, on.stack.session, on.stack.backend)
    const commitsAfter = await on.stack.commits()
    const base = await measureFanout(baselineTarget(baseline, size.rooms), size, sizes.timeoutMs, baseline.server)
    const commitMs = (1000 * (commitsAfter.seconds - commitsBefore.seconds)) / Math.max(1, commitsAfter.count - commitsBefore.count)
    figures.push({ project, baseline: base, commitMs })
  }
  raw[label] = figures
  const failure = fanoutFailure(figures.flatMap((f) => [f.project, f.baseline]))
  const common = { workload: label, ...(failure ? { failure } : {}) }
  const of = `median of ${rounds}`
  const both = (metric: string, pick: (f: FanoutFigures) => number, target?: Row['target']) => {
    const project = medianAndRange(figures.map((f) => pick(f.project)))
    const base = medianAndRange(figures.map((f) => pick(f.baseline)))
    rows.push({ ...common, metric: `${metric} (${of}; ${project.range} vs ${base.range})`, project: project.median, baseline: base.median, ...(target ? { target } : {}) })
  }
  both('deliveries / s', (f) => f.deliveriesPerSecond)
  both('latency p50 ms', (f) => f.result.p50Ms)
  both('latency p99 ms', (f) => f.result.p99Ms, { bound: 'max', value: 1.5, of: 'ratio' })
  both('server CPU µs / delivery', (f) => f.serverCpuUsPerDelivery)
  const own = (metric: string, values: number[], target?: Row['target']) => {
    const { median, range } = medianAndRange(values)
    rows.push({ ...common, metric: `${metric} (${of}, ${range})`, project: median, ...(target ? { target } : {}) })
  }
  own('durability cost at p50: project − baseline ms', figures.map((f) => f.project.result.p50Ms - f.baseline.result.p50Ms))
  own('durability cost at p99: project − baseline ms', figures.map((f) => f.project.result.p99Ms - f.baseline.result.p99Ms), { bound: 'max', value: 2, of: 'project' })
  own('group commit round trip, mean ms (session server → backend → storage → back)', figures.map((f) => f.commitMs))
  own('backend CPU µs / message', figures.map((f) => f.project.backendCpuUsPerMessage ?? Number.NaN))
}

export async function latency(bench: Bench): Promise<void> {
  const { rooms, members } = bench.sizes.latency
  await compareLatency(bench, `latency (${rooms}×${members}, 1 in flight)`)
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
