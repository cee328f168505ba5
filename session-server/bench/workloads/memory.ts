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
 *   connections each (their tabs, in the same room). Tens of thousands of accounts or guests would
 *   take the backend many minutes to make (an scrypt, or an INSERT and a join, each), so the room
 *   is placed by a real join of its owner, and the other users' room tokens are signed here with
 *   the backend's key, claims as the backend mints them (its owner's token with another `sub` and
 *   `username`): the session server cannot tell them apart, and its per-connection work is the
 *   same. The baseline has no users, so it is measured once per round.
 * - Where: on a stack of its own, so that restarting its session server touches no other workload. The load is spread over load processes of at most `perWorker` sockets, each
 *   from a source address of its own (127.0.0.x): a process may hold at most 20,000 open files
 *   here, and one address has 28,232 ephemeral ports.
 */
import { createPrivateKey, randomUUID } from 'node:crypto'
import jwt from 'jsonwebtoken'
import { startBaseline, startProject, type ProjectStack, type ServerProcess } from '../processes.js'
import type { Row } from '../report.js'
import { Phases } from '../Phases.js'
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
  // Every worker says `ready` at each stage; the server is measured once all have, then all go on.
  const phases = new Phases(workers)
  const all = Promise.all(
    Array.from({ length: workers }, (_, w) =>
      runWorker<IdleResult>(
        {
          kind: 'idle',
          urls: urls.filter((_, i) => i % workers === w),
          stages: stages.map((count) => share(count, w)),
          localAddress: sourceAddress(),
          timeoutMs,
        },
        () => phases.arrive(w),
      ),
    ),
  )
  // Awaited below; a failure while stages are measured must not go unhandled meanwhile.
  all.catch(() => {})
  try {
    for (let stage = 0; stage < stages.length; stage++) {
      await Promise.race([phases.whenAllReached(stage), all])
      readings[stage] = await server.probe()
      if (stage === stages.length - 1) await after()
      phases.open(stage)
    }
  } catch (error) {
    phases.openAll(stages.length)
    await Promise.allSettled([all])
    throw error
  }
  const results = await all
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

  const stack = await startProject({ cpuProfileDir, label: 'memory' })
  const project: Record<string, RoundFigures[]> = {}
  try {
    const setup = new ProjectSetup(stack)
    const [owner] = await setup.users(1)
    let server = stack.session
    for (const tabs of [1, size.tabsPerUser]) {
      const roomIds = await setup.newRooms(rooms)
      const figures: RoundFigures[] = (project[tabs === 1 ? 'distinct' : `${tabs} per user`] = [])
      for (let r = 0; r < size.rounds; r++) {
        // Fresh for every round but the first (the stack's own server, which no client has used yet).
        if (server.child.exitCode !== null || server.child.signalCode !== null) server = await stack.startSessionServer(stack.sessionHost)
        const current = server
        const urls = await connectionUrls(stack, owner!, roomIds, size, tabs)
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

/**
 * The WebSocket URL of every connection, room after room (`roomSize` each, `tabs` in a row per
 * user): each room placed on the (fresh) server by a real join of its owner, whose room token's
 * claims, with a user of its own in `sub` and `username`, are signed for every user.
 */
async function connectionUrls(stack: ProjectStack, owner: string, roomIds: string[], size: MemorySize, tabs: number): Promise<string[]> {
  const key = createPrivateKey(stack.roomTokenKey)
  const usersPerRoom = Math.ceil(size.roomSize / tabs)
  const urls: string[] = []
  const ownerUrls: string[] = []
  await pool(roomIds.length, JOIN_CONCURRENCY, async (room) => {
    ownerUrls[room] = await memberUrl({ kind: 'project', backendUrl: stack.backendUrl, userTokens: [owner], roomIds: [roomIds[room]!] }, 0, 0)
  })
  roomIds.forEach((_, room) => {
    const ownerUrl = new URL(ownerUrls[room]!)
    const decoded = jwt.decode(ownerUrl.searchParams.get('token') ?? '', { complete: true })
    if (decoded === null || typeof decoded.payload === 'string') throw new Error('the backend answered a room token that is not a JWT')
    const userUrls = Array.from({ length: usersPerRoom }, (_, user) => {
      const claims = { ...(decoded.payload as object), sub: randomUUID(), username: `m${tabs}_${room}_${user}` }
      const token = jwt.sign(claims, key, { algorithm: 'ES256', ...(decoded.header.kid ? { keyid: decoded.header.kid } : {}) })
      ownerUrl.searchParams.set('token', token)
      return ownerUrl.toString()
    })
    for (let i = 0; i < size.roomSize; i++) urls.push(userUrls[Math.floor(i / tabs)]!)
  })
  return urls.slice(0, size.counts.at(-1)!)
}
