/** What `run.ts` hands every workload: the sizes, the servers, and where the figures go. */
import type { Baseline, ProjectStack } from '../processes.js'
import type { Row } from '../report.js'
import type { ProjectSetup } from '../setup.js'
import type { BenchSizes } from '../sizes.js'

export interface Bench {
  sizes: BenchSizes
  /** The project on PGlite, with the per-user limits lifted (`startProject`'s default). */
  stack: ProjectStack
  setup: ProjectSetup
  baseline: Baseline
  /** Where a stack a workload starts of its own writes its CPU profiles (`--profile`). */
  cpuProfileDir: string | undefined
  /** A Postgres to run on as well (durability), when one was given. */
  postgresUrl: string | undefined
  /** `--storm-on-postgres`: the storm's backend stores on this Postgres instead of PGlite. */
  stormDatabaseUrl?: string | undefined
  /** The table, in the order the workloads ran; a row with a `failure` fails the run. */
  rows: Row[]
  /** Every figure behind the rows, by workload, for the JSON results. */
  raw: Record<string, unknown>
}

export type WorkloadBody = (bench: Bench) => Promise<void>
