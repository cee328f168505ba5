/**
 * One load process's share of the reconnect storm (`workloads/storm.ts` runs several, so that
 * thousands of sockets are not read by one event loop). Its clients join and connect; once the
 * harness says so the senders start; the harness kills the server; every client re-joins through
 * the backend and resumes on the other server by itself (`StormClient`); this process says when all
 * are back and, once the harness has read the servers' CPU time, stops the senders, lets them
 * settle what they have in flight and answers with what every client saw.
 */
import type { StormResult, Task } from '../tasks.js'
import { BackendJoins } from './BackendJoins.js'
import { pool } from './connect.js'
import { StormClient, type StormTally } from './StormClient.js'

type StormTask = Extract<Task, { kind: 'storm' }>

/** Joins and handshakes in flight while the rooms fill up (not measured). */
const SETUP_CONCURRENCY = 25
/** Connections to the backend per load process (see `BackendJoins`). */
const BACKEND_SOCKETS = 32
/** How often this process looks whether everyone is back (the harness reads `backAt`, not this). */
const POLL_MS = 50
/** How long the senders may take, once stopped, to see every message they made acknowledged. */
const SETTLE_MS = 15_000
/** Problems kept word for word (all are counted). */
const MAX_PROBLEMS = 20

/** `phase()` says `ready` to the harness and resolves when it says `finish`. */
export async function runStorm(task: StormTask, phase: () => Promise<void>): Promise<StormResult> {
  const problems: string[] = []
  let problemCount = 0
  const tally: StormTally = {
    rejoins: 0,
    failedRejoins: 0,
    failedOpens: {},
    refusedSends: 0,
    acknowledged: [],
    problem(text) {
      problemCount++
      if (problems.length < MAX_PROBLEMS) problems.push(text)
    },
  }
  const joins = new BackendJoins(task.backendUrl, BACKEND_SOCKETS)
  const clients = task.clients.map((c, i) => new StormClient(c.roomId, c.userToken, `${task.run}-${process.pid}-${i}`, joins, tally))
  try {
    const entered = pool(clients.length, SETUP_CONCURRENCY, (i) => clients[i]!.start())
    await withDeadline(entered, task.timeoutMs, 'the clients did not all get in')
    await phase()

    task.clients.forEach((c, i) => c.sender && clients[i]!.startSending(task.sendIntervalMs))
    const cpuUs = await everyoneBack(clients, task)
    await phase()

    const senders = clients.filter((_, i) => task.clients[i]!.sender)
    await Promise.race([Promise.all(senders.map((c) => c.stopSending())), sleep(SETTLE_MS)])
    const backAt = clients.flatMap((c) => (c.backAt === undefined ? [] : [c.backAt]))
    return {
      clients: clients.length,
      backAt,
      notBack: clients.length - backAt.length,
      rejoins: tally.rejoins,
      failedRejoins: tally.failedRejoins,
      failedOpens: tally.failedOpens,
      acknowledged: tally.acknowledged,
      unacknowledged: senders.reduce((sum, c) => sum + c.unacknowledged, 0),
      refusedSends: tally.refusedSends,
      cpuUs,
      problems,
      problemCount,
    }
  } finally {
    for (const client of clients) client.stop()
    joins.close()
  }
}

/**
 * Until every client was cut off and is back (or gave up), or `backWithinMs` after the first cut
 * this process saw, or the task's timeout if none is ever cut.
 */
async function everyoneBack(clients: StormClient[], task: StormTask): Promise<number> {
  const started = Date.now()
  let firstCut: number | undefined
  let cpuAtCut = process.cpuUsage()
  const cpuSinceCut = () => {
    const { user, system } = process.cpuUsage(cpuAtCut)
    return user + system
  }
  for (;;) {
    if (clients.every((c) => c.done)) return cpuSinceCut()
    const now = Date.now()
    if (firstCut === undefined && clients.some((c) => c.wasCut)) {
      firstCut = now
      cpuAtCut = process.cpuUsage()
    }
    if (firstCut !== undefined ? now - firstCut > task.backWithinMs : now - started > task.timeoutMs) return cpuSinceCut()
    await sleep(POLL_MS)
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)))
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer))
}
