/** Memory per idle connection: the project's session server against the baseline, after a full GC. */
import type { ServerProcess } from '../processes.js'
import { runWorker } from '../runWorker.js'
import { baselineTarget } from '../setup.js'
import type { IdleResult, Target } from '../tasks.js'
import type { Bench } from './Bench.js'

export async function memory({ sizes, stack, setup, baseline, rows, raw }: Bench): Promise<void> {
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
}
