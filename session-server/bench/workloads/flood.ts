/**
 * The abuse workload: a victim room's latency, quiet and while one account floods the same server,
 * on a stack of its own with the per-user limits at their defaults, as in production.
 */
import { startProject } from '../processes.js'
import { runWorker } from '../runWorker.js'
import { ProjectSetup } from '../setup.js'
import { medianAndRange, percentile } from '../stats.js'
import type { FanoutResult, FloodResult, Task } from '../tasks.js'
import type { Bench } from './Bench.js'
import { fanoutFailure } from './fanout.js'

export async function flood({ sizes, rows, raw, cpuProfileDir }: Bench): Promise<void> {
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
    const summary = (results: FanoutResult[], pick: (r: FanoutResult) => number) => medianAndRange(results.map(pick))
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
}
