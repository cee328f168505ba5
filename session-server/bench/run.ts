/**
 * `npm run bench` (root): runs every workload against the project and the baseline in the same run,
 * each load in its own forked process, prints a Markdown table and writes the figures as JSON to
 * `bench-results/`. Exits 1 when a workload fails (loses or refuses messages, times out); timing
 * never fails a run. Each workload is a module of `workloads/`; this file starts the servers, runs
 * the chosen ones in order and reports.
 *
 *   npm run bench                       the full run (≈ 17 minutes on a 2-core machine)
 *   npm run bench -- --smoke            tiny counts, same code paths (CI)
 *   npm run bench -- --only=fanout      one workload (fanout, latency, memory, joins, handshakes, durability, ramp, flood, board, storm)
 *   npm run bench -- --profile          V8 CPU profiles of the servers in bench-results/profiles/
 *   … --only=storm --storm-on-postgres  the storm's backend on Postgres (with BENCH_DATABASE_URL) instead of PGlite
 *
 * Durability (and the latency workload with it) also runs on Postgres when BENCH_DATABASE_URL (or
 * TEST_DATABASE_URL) is set.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { SERVERS_AS_IN_PRODUCTION, startBaseline, startProject } from './processes.js'
import { formatTable, meetsTarget, type Row } from './report.js'
import { ProjectSetup } from './setup.js'
import { FULL, SMOKE } from './sizes.js'
import type { Bench, WorkloadBody } from './workloads/Bench.js'
import { board } from './workloads/board.js'
import { durability } from './workloads/durability.js'
import { fanout, latency, ramp } from './workloads/fanout.js'
import { flood } from './workloads/flood.js'
import { handshakes } from './workloads/handshakes.js'
import { joins } from './workloads/joins.js'
import { memory } from './workloads/memory.js'
import { storm } from './workloads/storm.js'

/** In the order they run. */
const WORKLOADS = { memory, handshakes, joins, latency, fanout, ramp, durability, flood, board, storm } satisfies Record<string, WorkloadBody>
type Workload = keyof typeof WORKLOADS
const NAMES = Object.keys(WORKLOADS) as Workload[]

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    only: { type: 'string' },
    'storm-on-postgres': { type: 'boolean', default: false },
  },
})
const only = flags.only?.split(',') ?? [...NAMES]
const unknown = only.filter((name) => !(NAMES as readonly string[]).includes(name))
if (unknown.length > 0) {
  console.error(`--only: unknown workload ${unknown.join(', ')}; expected ${NAMES.join(', ')}`)
  process.exit(2)
}
const enabled = (name: Workload) => only.includes(name)
const sizes = flags.smoke ? SMOKE : FULL
const RESULTS_DIR = fileURLToPath(new URL('../../bench-results/', import.meta.url))
const cpuProfileDir = flags.profile ? `${RESULTS_DIR}profiles` : undefined
const postgresUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined
if (flags['storm-on-postgres'] && !postgresUrl) {
  console.error('--storm-on-postgres needs BENCH_DATABASE_URL (or bash .ci/with-postgres.sh npm run bench -- …)')
  process.exit(2)
}

const rows: Row[] = []
const raw: Record<string, unknown> = {}

/** Runs one workload; a failure is recorded as a row and the run carries on. */
async function workload(name: Workload, bench: Bench): Promise<void> {
  if (!enabled(name)) return
  const started = Date.now()
  process.stderr.write(`bench: ${name}…`)
  try {
    await WORKLOADS[name](bench)
    process.stderr.write(` ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    process.stderr.write(` FAILED: ${message}\n`)
    rows.push({ workload: name, metric: 'run', failure: message })
  }
}

async function main(): Promise<number> {
  if (cpuProfileDir) mkdirSync(cpuProfileDir, { recursive: true })
  const baseline = await startBaseline({ cpuProfileDir })
  const stack = await startProject({ cpuProfileDir, label: 'pglite' }).catch(async (error: unknown) => {
    await baseline.server.stop()
    throw error
  })
  const stormDatabaseUrl = flags['storm-on-postgres'] ? postgresUrl : undefined
  const bench: Bench = { sizes, stack, setup: new ProjectSetup(stack), baseline, cpuProfileDir, postgresUrl, stormDatabaseUrl, rows, raw }
  try {
    for (const name of NAMES) await workload(name, bench)
  } finally {
    await Promise.all([stack.stop(), baseline.server.stop()])
  }

  const table = formatTable(rows)
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform} ${process.arch}`, loadAverageAtEnd: loadavg() }
  const date = new Date().toISOString()
  console.log(`\n${table}\n\n${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, ${date}${flags.smoke ? ' (smoke: tiny counts, figures mean nothing)' : ''}`)
  console.log(`${SERVERS_AS_IN_PRODUCTION}; load average at the end ${machine.loadAverageAtEnd.map((l) => l.toFixed(2)).join(', ')}`)
  mkdirSync(RESULTS_DIR, { recursive: true })
  const file = `${RESULTS_DIR}bench-${date.replace(/[:.]/g, '-')}${flags.smoke ? '-smoke' : ''}.json`
  writeFileSync(file, `${JSON.stringify({ date, machine, smoke: flags.smoke, sizes, rows: rows.map((r) => ({ ...r, met: meetsTarget(r) })), raw }, null, 2)}\n`)
  console.log(`results: ${file}`)
  const failures = rows.filter((r) => r.failure)
  return failures.length > 0 ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error)
    process.exit(1)
  },
)
