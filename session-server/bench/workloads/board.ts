/**
 * The board, `rounds` times each (median and range, as flood reports its rounds):
 *
 * - Pointers: one room whose members all move theirs at `hz`. The project sends each member one
 *   `cursors` frame per `cursorIntervalMs` with every pointer that moved; the baseline does the
 *   naive thing, every move to every member at once as a frame of its own. Reported: the frames
 *   and the positions a member receives per second (batching must keep the information, not only
 *   send fewer frames), and the server's CPU time per `cursor_move` over the moves alone.
 * - Edits: a few members drawing as fast as the default frame allowance lets a person
 *   (FRAMES_PER_SECOND, 60 a second: the editors pace themselves below it, although this stack
 *   lifts it, so that the rate is one a room of people could reach), one more watching, on the
 *   project with persistence on (BOARD_SAVE_DELAY_MS at its default, 2 s). Reported: the edits
 *   applied per second as the watcher receives them, the server's CPU per edit, and how long after
 *   the last edit storage held it. Then the stored board is read back through the backend's
 *   internal API: a shape acknowledged to its editor and not stored as acknowledged fails the
 *   workload. The baseline has no board.
 */
import { performance } from 'node:perf_hooks'
import type { ServerProcess } from '../processes.js'
import { runWorker } from '../runWorker.js'
import { baselineTarget } from '../setup.js'
import { medianAndRange } from '../stats.js'
import { missingFrom, storedBoard } from '../storedBoard.js'
import type { CursorsResult, EditsResult, Target, Task } from '../tasks.js'
import type { Bench } from './Bench.js'

/**
 * How long storage may take to hold the last edit: a save is due BOARD_SAVE_DELAY_MS (2 s) after
 * the first unsaved change, one at a time, so one in flight when the edits end and the next; the
 * rest is room for a busy machine. The figure reported is the time it actually took.
 */
const STORED_WITHIN_MS = 10_000

interface Phase<R> {
  result: R
  /** The measured server's CPU time from the phase's start to its end. */
  cpuUs: number
  /** When the phase ended (`performance.now()`, this process). */
  endedAt: number
}

/** Runs a phased task, reading `server`'s CPU time as its phase starts and ends (the load generator says when). */
async function phase<R>(task: Task, server: ServerProcess): Promise<Phase<R>> {
  const probes: number[] = []
  let endedAt = 0
  const result = await runWorker<R>(task, async () => {
    endedAt = performance.now()
    probes.push((await server.probe(false)).cpuUs)
  })
  if (probes.length !== 2) throw new Error(`expected the load generator to mark a phase's start and end, got ${probes.length} marks`)
  return { result, cpuUs: probes[1]! - probes[0]!, endedAt }
}

interface CursorFigures {
  result: CursorsResult
  framesPerSecondPerMember: number
  positionsPerSecondPerMember: number
  serverCpuUsPerMove: number
}

async function pointers(bench: Bench, target: Target, server: ServerProcess): Promise<CursorFigures> {
  const { members, hz, moves } = bench.sizes.board.cursors
  const { result, cpuUs } = await phase<CursorsResult>({ kind: 'cursors', target, members, hz, moves, timeoutMs: bench.sizes.timeoutMs }, server)
  const perMemberPerSecond = (count: number) => count / members / (result.durationMs / 1000)
  return {
    result,
    framesPerSecondPerMember: perMemberPerSecond(result.framesReceived),
    positionsPerSecondPerMember: perMemberPerSecond(result.positionsReceived),
    serverCpuUsPerMove: cpuUs / Math.max(1, result.movesSent),
  }
}

interface EditFigures {
  result: EditsResult
  appliedPerSecond: number
  serverCpuUsPerEdit: number
  /** From the end of the edits until storage held the last of them. */
  storedAfterMs: number
  /** What the stored board lacks of what was acknowledged. */
  missing: string[]
}

async function edits(bench: Bench): Promise<EditFigures> {
  const { stack, setup, sizes } = bench
  const { editors, edits: count, perSecond } = sizes.board.edits
  const target = await setup.target(1, editors + 1)
  const task: Task = { kind: 'edits', target, editors, edits: count, perSecond, timeoutMs: sizes.timeoutMs }
  // The saves during the edits are in their CPU time; the last one, after them, is not.
  const { result, cpuUs, endedAt } = await phase<EditsResult>(task, stack.session)
  const board = await storedBoard(stack, target.roomIds[0]!, result.boardVersion, endedAt + STORED_WITHIN_MS)
  return {
    result,
    appliedPerSecond: result.applied / (result.durationMs / 1000),
    serverCpuUsPerEdit: cpuUs / Math.max(1, result.applied),
    storedAfterMs: performance.now() - endedAt,
    missing: missingFrom(board, result.boardVersion, result.acknowledged),
  }
}

export async function board(bench: Bench): Promise<void> {
  const { sizes, stack, setup, baseline, rows, raw } = bench
  const { rounds, cursors, edits: drawing } = sizes.board
  const project: CursorFigures[] = []
  const base: CursorFigures[] = []
  const drawn: EditFigures[] = []
  // Round by round, so that a machine getting busier mid-run weighs on both servers alike.
  for (let round = 0; round < rounds; round++) {
    project.push(await pointers(bench, await setup.target(1, cursors.members), stack.session))
    base.push(await pointers(bench, baselineTarget(baseline, 1), baseline.server))
    drawn.push(await edits(bench))
  }
  raw.board = { cursors: { project, baseline: base }, edits: drawn }

  const failure = (problems: string[]) => (problems.length > 0 ? { failure: problems.slice(0, 3).join('; ') } : {})
  const pointerRows = { workload: `board pointers (1×${cursors.members}, each ${cursors.hz} moves/s for ${cursors.moves / cursors.hz} s)`, ...failure([...project, ...base].flatMap((f) => f.result.problems)) }
  const compare = (metric: string, pick: (f: CursorFigures) => number) => {
    const [ours, theirs] = [medianAndRange(project.map(pick)), medianAndRange(base.map(pick))]
    rows.push({ ...pointerRows, metric: `${metric} (median of ${rounds}; project ${ours.range}, baseline ${theirs.range})`, project: ours.median, baseline: theirs.median })
  }
  compare('`cursors` frames received / s per member', (f) => f.framesPerSecondPerMember)
  compare('pointer positions received / s per member', (f) => f.positionsPerSecondPerMember)
  compare('server CPU µs / cursor_move', (f) => f.serverCpuUsPerMove)

  const editRows = {
    workload: `board edits (${drawing.editors} drawing, each ${drawing.perSecond} edits/s for ${drawing.edits / drawing.perSecond} s; 1 watching; saved)`,
    ...failure(drawn.flatMap((f) => [...f.result.problems, ...f.missing])),
  }
  const figure = (metric: string, pick: (f: EditFigures) => number) => {
    const { median, range } = medianAndRange(drawn.map(pick))
    rows.push({ ...editRows, metric: `${metric} (median of ${rounds}, ${range})`, project: median })
  }
  figure('edits applied / s (deltas to the watcher)', (f) => f.appliedPerSecond)
  figure('server CPU µs / edit', (f) => f.serverCpuUsPerEdit)
  figure('board stored, ms after the last edit', (f) => f.storedAfterMs)
}
