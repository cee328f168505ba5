/**
 * The work each benchmark does: fixed counts, so two runs do the same work and only the time
 * differs. `--smoke` runs the same code paths with tiny counts (CI: it must not rot, it never
 * judges timing).
 */
export interface FanoutSize {
  rooms: number
  members: number
  messagesPerSender: number
  window: number
}

export interface BenchSizes {
  fanout: FanoutSize
  /** One message in flight, `rounds` times (its tail moves most between runs). */
  latency: FanoutSize & { rounds: number }
  /**
   * Idle connections on one session server, in rooms of `roomSize`, `rounds` times, each round on
   * a fresh server: per connection is the growth from `from` connections to each of `counts`
   * (see workloads/memory.ts), for distinct users and for users with `tabsPerUser` connections
   * each; at most `perWorker` connections per load process (each its own source address).
   */
  memory: { rounds: number; from: number; counts: number[]; roomSize: number; tabsPerUser: number; perWorker: number }
  /** `users` × `rooms` first joins, `warmup` joins again unmeasured, then `requests` measured. */
  joins: { users: number; rooms: number; warmup: number; requests: number; concurrency: number }
  /** `rounds` × (the project and the baseline in turn), `count` handshakes each. */
  handshakes: { rounds: number; count: number; concurrency: number; users: number }
  durability: FanoutSize
  ramp: FanoutSize[]
  /**
   * The abuse workload: `rounds` × (the victim's paced sends in quiet, then again while one
   * account floods from `sockets` sockets), the victim a room of `members` on the same server.
   */
  flood: { rounds: number; members: number; messages: number; intervalMs: number; sockets: number }
  /**
   * The board, `rounds` times: `cursors`, one room of `members` each sending `moves` pointer
   * positions at `hz`; `edits`, `editors` members each making `edits` shape edits at `perSecond`
   * (within the default FRAMES_PER_SECOND, 60), one more member watching.
   */
  board: {
    rounds: number
    cursors: { members: number; hz: number; moves: number }
    edits: { editors: number; edits: number; perSecond: number }
  }
  /**
   * The reconnect storm, `rounds` times after a SIGKILL and `rounds` times after a SIGTERM drain:
   * `rooms` × `clientsPerRoom` clients (each its own user) on one session server, spread over
   * `workers` load processes; `sendersPerRoom` clients of each room send one message every
   * `sendIntervalMs` (within the default 30 a minute), for `flowMs` before the kill and on through
   * the storm; a client not back on the other server within `backWithinMs` fails the run. The
   * other server first serves `warmupHandshakes` of a room of its own, as a running server is warm.
   */
  storm: {
    rounds: number
    rooms: number
    clientsPerRoom: number
    workers: number
    sendersPerRoom: number
    sendIntervalMs: number
    flowMs: number
    backWithinMs: number
    warmupHandshakes: number
  }
  /** Any single workload that takes longer than this fails (and the run goes on). */
  timeoutMs: number
}

const rampStep = (rooms: number, members: number, messagesPerSender: number): FanoutSize => ({ rooms, members, messagesPerSender, window: 10 })

export const FULL: BenchSizes = {
  fanout: { rooms: 10, members: 100, messagesPerSender: 1000, window: 10 },
  latency: { rooms: 1, members: 100, messagesPerSender: 1000, window: 1, rounds: 3 },
  // 19,500, not 20,000: a process may hold at most 20,000 open files here (`ulimit -Hn`, not
  // raisable), the server's listening socket, pipes and files included.
  memory: { rounds: 3, from: 1000, counts: [5000, 19_500], roomSize: 100, tabsPerUser: 4, perWorker: 10_000 },
  joins: { users: 100, rooms: 10, warmup: 10000, requests: 20000, concurrency: 32 },
  handshakes: { rounds: 5, count: 3000, concurrency: 32, users: 100 },
  durability: { rooms: 10, members: 1, messagesPerSender: 2000, window: 100 },
  ramp: [rampStep(1, 10, 300), rampStep(1, 25, 300), rampStep(1, 50, 300), rampStep(1, 100, 300), rampStep(2, 100, 300), rampStep(5, 100, 300), rampStep(10, 100, 300)],
  flood: { rounds: 5, members: 10, messages: 50, intervalMs: 100, sockets: 200 },
  board: { rounds: 3, cursors: { members: 100, hz: 30, moves: 150 }, edits: { editors: 10, edits: 500, perSecond: 50 } },
  storm: { rounds: 3, rooms: 50, clientsPerRoom: 100, workers: 4, sendersPerRoom: 4, sendIntervalMs: 2000, flowMs: 3000, backWithinMs: 60_000, warmupHandshakes: 1000 },
  timeoutMs: 180_000,
}

export const SMOKE: BenchSizes = {
  fanout: { rooms: 2, members: 5, messagesPerSender: 20, window: 3 },
  latency: { rooms: 1, members: 5, messagesPerSender: 10, window: 1, rounds: 2 },
  memory: { rounds: 1, from: 4, counts: [12, 20], roomSize: 8, tabsPerUser: 4, perWorker: 12 },
  joins: { users: 5, rooms: 2, warmup: 20, requests: 50, concurrency: 4 },
  handshakes: { rounds: 1, count: 20, concurrency: 4, users: 5 },
  durability: { rooms: 2, members: 1, messagesPerSender: 30, window: 5 },
  ramp: [rampStep(1, 3, 10), rampStep(2, 5, 10)],
  flood: { rounds: 1, members: 3, messages: 5, intervalMs: 100, sockets: 10 },
  board: { rounds: 1, cursors: { members: 5, hz: 30, moves: 60 }, edits: { editors: 3, edits: 60, perSecond: 50 } },
  storm: { rounds: 1, rooms: 4, clientsPerRoom: 50, workers: 2, sendersPerRoom: 5, sendIntervalMs: 2000, flowMs: 3000, backWithinMs: 30_000, warmupHandshakes: 100 },
  timeoutMs: 60_000,
}
