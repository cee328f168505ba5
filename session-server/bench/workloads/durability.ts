/**
 * Messages stored per second (every one group-committed before anyone sees it), on PGlite and, when
 * a Postgres URL is given, on Postgres too, with the latency workload again there.
 */
import { startProject, type ProjectStack } from '../processes.js'
import { ProjectSetup } from '../setup.js'
import type { Bench } from './Bench.js'
import { compareLatency, fanoutFailure, measureFanout } from './fanout.js'

export async function durability(bench: Bench): Promise<void> {
  const { sizes, stack, setup, rows, raw, cpuProfileDir, postgresUrl } = bench
  const size = sizes.durability
  const stored = async (on: ProjectStack, onSetup: ProjectSetup, database: string) => {
    const figures = await measureFanout(await onSetup.target(size.rooms, size.members), size, sizes.timeoutMs, on.session, on.backend)
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
    await compareLatency(bench, `latency on Postgres (${rooms}×${members}, 1 in flight)`, { stack: pgStack, setup: pgSetup })
  } finally {
    await pgStack.stop()
  }
}
