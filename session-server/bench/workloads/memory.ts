/**
 * Memory per idle connection: the project's session server against the baseline, measured the
 * same way for both.
 *
 * - What: live memory (heapUsed + external, after a full GC in the server: what the connections
 *   retain, Buffers and socket state included, not garbage their handshakes left) and RSS.
 * - How: per connection is the GROWTH from `from` connections (1,000) to each count, divided by
 *   the connections added. Growth leaves out what a server holds whatever its load (code, the JIT,
 *   module state, pools the first connections allocate), which would otherwise be spread over the
 *   connections and make the figure depend on the count. Rooms fill up one after another, so each
 *   connection also carries its share of a room.
 * - Repeated: `rounds` rounds, each on a FRESH server process (the session server restarted at
 *   its address, every connection joined again through the backend: a restarted server's rooms are
 *   unplaced, and placed anew by the join; the baseline started anew): an allocator
 *   keeps the pages of closed connections, so a second round on the same process would grow its
 *   RSS by far less. Reported as the median with the range (min–max).
 * - Who: distinct users (each connection a user of its own) and users with `tabsPerUser`
 *   connections each (their tabs, in the same room). Each user is a guest of its room: a user each
 *   without an scrypt per account. The baseline has no users, so it is measured once per round.
 * - Where: on a stack of its own (guests allowed), so that restarting its session server touches
 *   no other workload. The load is spread over load processes of at most `perWorker` sockets, each
 *   from a source address of its own (127.0.0.x): a process may hold at most 20,000 open files
 *   here, and one address has 28,232 ephemeral ports.
 */
import { startBaseline, startProject, type ServerProcess } from '../processes.js'
import type { Row } from '../report.js'
import { runWorker } from '../runWorker.js'
import { baselineTarget, ProjectSetup } from '../setup.js'
import type { BenchSizes } from '../sizes.js'
import { medianAndRange } from '../stats.js'
import { memberUrl, pool } from '../load/connect.js'
import type { IdleResult, ProbeReply } from '../tasks.js'
import type { Bench } from './Bench.js'

/** `ulimit -Hn` on the benchmark machine: no process may hold 20,000 sockets, so the largest count stays under it. */
const OPEN_FILES_LIMIT = 20_000
const JOIN_CONCURRENCY = 32

type MemorySize = BenchSizes['memory']
/** KiB per connection at each count, for one round. */
interface RoundFigures {
  live: number[]
  rss: number[]
}

let nextSourceAddress = 2
/** A loopback source address no earlier load process used: no port of a closed socket in TIME_WAIT is in the way. */
const sourceAddress = () => `127.0.0.${nextSourceAddress++}`

/**
 * One round: opens `urls` in stages (`from`, then each count) over as many load processes as
 * needed, measures the server after each stage, and calls `after` (which stops the server, so that
 * the closes need not be served).
 */
async function round(size: MemorySize, timeoutMs: number, urls: string[], server: ServerProcess, after: () => Promise<void>): Promise<RoundFigures> {
  const stages = [size.from, ...size.counts]
  const total = stages.at(-1)!
  const workers = Math.ceil(total / size.perWorker)
  // Connection i goes to worker i % workers: every stage is spread evenly, and adds up to its count.
  const share = (count: number, w: number) => Math.ceil((count - w) / workers)
  const readings: ProbeReply[] = []
  const arrived = new Array<number>(workers).fill(0)
  const measuredStage: Array<Promise<void>> = []
  const arrivals: number[] = []
  const gates: Array<{ promise: Promise<void>; open: () => void }> = stages.map(() => {
    let open = () => {}
    const promise = new Promise<void>((resolve) => (open = resolve))
    return { promise, open }
  })
  // Every worker says `ready` at each stage; the server is measured once all have, then all go on.
  const onReady = (w: number) => async () => {
    const stage = arrived[w]!++
    arrivals[stage] = (arrivals[stage] ?? 0) + 1
    if (arrivals[stage] === workers) {
      measuredStage[stage] = (async () => {
        readings[stage] = await server.probe()
        if (stage === stages.length - 1) await after()
      })()
      measuredStage[stage]!.then(gates[stage]!.open, gates[stage]!.open)
    }
    await gates[stage]!.promise
    await measuredStage[stage]
  }
  const results = await Promise.all(
    Array.from({ length: workers }, (_, w) =>
      runWorker<IdleResult>(
        {
          kind: 'idle',
          urls: urls.filter((_, i) => i % workers === w),
          stages: stages.map((count) => share(count, w)),
          localAddress: sourceAddress(),
          timeoutMs,
        },
        onReady(w),
      ),
    ),
  )
  const opened = results.reduce((sum, r) => sum + r.connections, 0)
  if (opened !== total) throw new Error(`opened ${opened} connections, expected ${total}`)
  const growth = (pick: (r: ProbeReply) => number) => size.counts.map((count, i) => (pick(readings[i + 1]!) - pick(readings[0]!)) / 1024 / (count - size.from))
  return { live: growth((r) => r.heapUsed + r.external), rss: growth((r) => r.rss) }
}

export async function memory({ sizes, cpuProfileDir, rows, raw }: Bench): Promise<void> {
  const size = sizes.memory
  const total = size.counts.at(-1)!
  const rooms = Math.ceil(total / size.roomSize)

  const baseline: RoundFigures[] = []
  for (let r = 0; r < size.rounds; r++) {
    const server = await startBaseline({})
    try {
      const target = baselineTarget(server, rooms)
      const urls = await Promise.all(Array.from({ length: total }, (_, i) => memberUrl(target, Math.floor(i / size.roomSize), 0)))
      baseline.push(await round(size, sizes.timeoutMs, urls, server.server, () => server.server.kill('SIGKILL').then(() => {})))
    } finally {
      await server.server.stop()
    }
  }

  const stack = await startProject({ cpuProfileDir, label: 'memory', guests: true })
  const project: Record<string, RoundFigures[]> = {}
  try {
    const setup = new ProjectSetup(stack)
    let server = stack.session
    for (const tabs of [1, size.tabsPerUser]) {
      const guests = await guestsOf(setup, size, rooms, tabs)
      const figures: RoundFigures[] = (project[tabs === 1 ? 'distinct' : `${tabs} per user`] = [])
      for (let r = 0; r < size.rounds; r++) {
        // Fresh for every round but the first (the stack's own server, which no client has used yet).
        if (server.child.exitCode !== null || server.child.signalCode !== null) server = await stack.startSessionServer(stack.sessionHost)
        const current = server
        const urls = await connectionUrls(stack.backendUrl, size, guests, tabs)
        figures.push(await round(size, sizes.timeoutMs, urls, current, () => current.kill('SIGKILL').then(() => {})))
      }
    }
  } finally {
    await stack.stop()
  }

  raw.memory = { from: size.from, counts: size.counts, project, baseline }
  for (const [who, figures] of Object.entries(project)) {
    size.counts.forEach((count, i) => {
      const note = count > OPEN_FILES_LIMIT - 1000 ? `; the most under the ${OPEN_FILES_LIMIT.toLocaleString('en-US')} open files a process may hold` : ''
      const workload = `memory (${count.toLocaleString('en-US')} idle, ${who}${note})`
      rows.push(
        row(workload, 'live KiB / connection (heap + external, after GC)', figures, baseline, (f) => f.live[i]!, size, 1.5),
        row(workload, 'RSS KiB / connection', figures, baseline, (f) => f.rss[i]!, size, 1.2),
      )
    })
  }
}

function row(workload: string, metric: string, project: RoundFigures[], baseline: RoundFigures[], pick: (f: RoundFigures) => number, size: MemorySize, ratio: number): Row {
  const ours = medianAndRange(project.map(pick), 2)
  const theirs = medianAndRange(baseline.map(pick), 2)
  const how = `growth from ${size.from.toLocaleString('en-US')}, median of ${project.length}; project ${ours.range}, baseline ${theirs.range}`
  return { workload, metric: `${metric} (${how})`, project: ours.median, baseline: theirs.median, target: { bound: 'max', value: ratio, of: 'ratio' } }
}

interface Guests {
  roomIds: string[]
  /** Each room's guests' user tokens. */
  tokens: string[][]
}

/** `rooms` new rooms with their guests: enough for `roomSize` connections each, `tabs` per guest. */
async function guestsOf(setup: ProjectSetup, size: MemorySize, rooms: number, tabs: number): Promise<Guests> {
  const roomIds = await setup.newRooms(rooms)
  return { roomIds, tokens: await setup.guests(roomIds, Math.ceil(size.roomSize / tabs)) }
}

/**
 * The WebSocket URL of every connection, room after room (`roomSize` each): each guest joined
 * through the backend (not measured), its URL `tabs` times in a row.
 */
async function connectionUrls(backendUrl: string, size: MemorySize, { roomIds, tokens }: Guests, tabs: number): Promise<string[]> {
  const usersPerRoom = tokens[0]!.length
  const joined: string[][] = roomIds.map(() => [])
  await pool(roomIds.length * usersPerRoom, JOIN_CONCURRENCY, async (n) => {
    const room = Math.floor(n / usersPerRoom)
    const user = n % usersPerRoom
    const target = { kind: 'project' as const, backendUrl, userTokens: tokens[room]!, roomIds: [roomIds[room]!] }
    joined[room]![user] = await memberUrl(target, 0, user)
  })
  const urls: string[] = []
  for (const roomUrls of joined) for (let i = 0; i < size.roomSize; i++) urls.push(roomUrls[Math.floor(i / tabs)]!)
  return urls.slice(0, size.counts.at(-1)!)
}
