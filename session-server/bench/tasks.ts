/**
 * What the harness (`run.ts`) and a load-generator process (`loadWorker.ts`) say to each other over
 * the IPC channel. Both ends validate with these schemas: it is a process boundary like any other.
 */
import { z } from 'zod'

/**
 * Where the load goes. `project`: each connection first asks the backend to join
 * (`GET /api/rooms/:roomId` with a user token), then opens the session server with the room token.
 * `baseline`: the benchmark's raw `ws` broadcast server, rooms named in the query.
 */
export const Target = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('project'),
    backendUrl: z.string(),
    /** User tokens; member `i` of every room is user `i`, so rooms need as many users as members. */
    userTokens: z.array(z.string()).min(1),
    roomIds: z.array(z.string()).min(1),
  }),
  z.object({ kind: z.literal('baseline'), url: z.string(), roomIds: z.array(z.string()).min(1) }),
])
export type Target = z.infer<typeof Target>

export const Task = z.discriminatedUnion('kind', [
  /**
   * Every room: `members` connections, member 0 sends `messagesPerSender` with at most `window`
   * unacknowledged, and with `intervalMs` at least between two sends when given (a paced sender,
   * within a server's per-user limits).
   */
  z.object({
    kind: z.literal('fanout'),
    target: Target,
    members: z.number().int().min(1),
    messagesPerSender: z.number().int().min(1),
    window: z.number().int().min(1),
    intervalMs: z.number().int().min(1).optional(),
    timeoutMs: z.number().int().min(1),
  }),
  /**
   * One account's flood: `sockets` connections to `roomId` with ONE room token, each sending
   * typing and status toggles as fast as its socket drains, reconnecting whenever it is closed or
   * refused; reports `ready` once every socket was tried, floods until told to `finish`.
   */
  z.object({
    kind: z.literal('flood'),
    backendUrl: z.string(),
    userToken: z.string(),
    roomId: z.string(),
    sockets: z.number().int().min(1),
    timeoutMs: z.number().int().min(1),
  }),
  /**
   * Idle connections, opened in stages: up to `stages[0]` of `urls` (one URL per connection, in
   * order; the same URL twice is one user's second tab), `ready`, held until `finish`, then up to
   * `stages[1]`, and so on; after the last stage's `finish` all are closed. `localAddress`: the
   * source address of every socket (127.0.0.x), so that several load processes do not share one
   * address's ephemeral ports.
   */
  z.object({
    kind: z.literal('idle'),
    urls: z.array(z.string()).min(1),
    stages: z.array(z.number().int().min(1)).min(1),
    localAddress: z.string().optional(),
    timeoutMs: z.number().int().min(1),
  }),
  /** `requests` × `GET /api/rooms/:roomId`, `concurrency` at a time over keep-alive connections. */
  z.object({
    kind: z.literal('joins'),
    backendUrl: z.string(),
    userTokens: z.array(z.string()).min(1),
    roomIds: z.array(z.string()).min(1),
    /** Appended to every request's path: `?rejoin=1` for a reconnecting client's join (`''`: someone opening the room). */
    query: z.string(),
    requests: z.number().int().min(1),
    concurrency: z.number().int().min(1),
    timeoutMs: z.number().int().min(1),
  }),
  /**
   * The board's pointers, in the target's first room: `members` connections each send `moves`
   * `cursor_move` frames at `hz` (the last one at x = -1, so that a member can tell when it has
   * seen every member's last position). Phased: `ready` once the room is full and again once every
   * member saw every last position, so that the harness reads server CPU around the moves alone.
   */
  z.object({
    kind: z.literal('cursors'),
    target: Target,
    members: z.number().int().min(1),
    hz: z.number().min(1),
    moves: z.number().int().min(2),
    timeoutMs: z.number().int().min(1),
  }),
  /**
   * The board's edits, in the project target's first room: `editors` members each make `edits`
   * shape edits (every tenth a create, the rest moves of their own shapes) at `perSecond`, and
   * one more member watches. Phased like `cursors`: `ready` once all are in, and again once every
   * edit was acknowledged to its editor and reached the watcher.
   */
  z.object({
    kind: z.literal('edits'),
    target: Target,
    editors: z.number().int().min(1),
    edits: z.number().int().min(1),
    perSecond: z.number().min(1),
    timeoutMs: z.number().int().min(1),
  }),
  /**
   * One load process's share of the reconnect storm. Phased: `ready` once every client is in its
   * room (the harness then starts the other server and says `finish`: the senders start); `ready`
   * again once every client was cut off and is back, with a snapshot, on another server (or
   * `backWithinMs` passed; the harness has killed a server meanwhile and says `finish`: the senders
   * stop and settle what they have in flight); then the result. See `load/storm.ts`.
   */
  z.object({
    kind: z.literal('storm'),
    backendUrl: z.string(),
    /** Each client its own user: a token that can join `roomId` (a guest of that room). */
    clients: z.array(z.object({ roomId: z.string(), userToken: z.string(), sender: z.boolean() })).min(1),
    /** Unique to this round: every clientId starts with it. */
    run: z.string().regex(/^[A-Za-z0-9_-]+$/),
    sendIntervalMs: z.number().int().min(1),
    backWithinMs: z.number().int().min(1),
    timeoutMs: z.number().int().min(1),
  }),
  /** `count` WebSocket handshakes (open → first frame → close), `concurrency` at a time. */
  z.object({
    kind: z.literal('handshakes'),
    target: Target,
    count: z.number().int().min(1),
    concurrency: z.number().int().min(1),
    timeoutMs: z.number().int().min(1),
  }),
])
export type Task = z.infer<typeof Task>

export const FanoutResult = z.object({
  /** Frames of type `message` received, over all members. */
  deliveries: z.number(),
  expected: z.number(),
  /** From the first send to the last delivery. */
  durationMs: z.number(),
  p50Ms: z.number(),
  p99Ms: z.number(),
  /** Error frames and unexpected closes, which make the workload fail. */
  problems: z.array(z.string()),
})
export type FanoutResult = z.infer<typeof FanoutResult>

export const RateResult = z.object({ completed: z.number(), failed: z.number(), durationMs: z.number(), firstError: z.string().optional() })
export type RateResult = z.infer<typeof RateResult>

export const IdleResult = z.object({ connections: z.number() })
export type IdleResult = z.infer<typeof IdleResult>

export const FloodResult = z.object({
  /** Of the first `sockets` connections, those the server let into the room (sent a snapshot). */
  admittedAtStart: z.number(),
  framesSent: z.number(),
  /** Close codes the server closed flood sockets with, and how often. */
  closes: z.record(z.string(), z.number()),
  /** Reconnects the server refused before the upgrade, by HTTP status. */
  refusedHandshakes: z.record(z.string(), z.number()),
  durationMs: z.number(),
})
export type FloodResult = z.infer<typeof FloodResult>

export const CursorsResult = z.object({
  /** `cursor_move` frames sent, over all members. */
  movesSent: z.number(),
  /** `cursors` frames received, over all members. */
  framesReceived: z.number(),
  /** Pointer positions those frames carried (their `moved` entries), over all members. */
  positionsReceived: z.number(),
  /** From the first move until every member had seen every member's last position. */
  durationMs: z.number(),
  /** Error frames, unexpected closes and last positions that never arrived: the workload fails. */
  problems: z.array(z.string()),
})
export type CursorsResult = z.infer<typeof CursorsResult>

export const EditsResult = z.object({
  editsSent: z.number(),
  /** Deltas (`shape_created`, `shape_updated`) the watching member received. */
  applied: z.number(),
  /** From the first edit until the watcher received the last delta. */
  durationMs: z.number(),
  /** The board version of the last delta: what storage must reach. */
  boardVersion: z.number(),
  /** Every shape whose create was acknowledged, with the version of its latest acknowledged change. */
  acknowledged: z.record(z.string(), z.number()),
  /** Error frames (refusals) and unexpected closes: the workload fails. */
  problems: z.array(z.string()),
})
export type EditsResult = z.infer<typeof EditsResult>

/** A message its sender saw acknowledged (its own broadcast, or the original answering a re-send). */
export const Acknowledged = z.object({ roomId: z.string(), clientId: z.string(), seq: z.number().int(), at: z.number() })
export type Acknowledged = z.infer<typeof Acknowledged>

export const StormResult = z.object({
  clients: z.number(),
  /** This load process's CPU time from the first client it saw cut off until everyone was back, µs. */
  cpuUs: z.number(),
  /**
   * `Date.now()` when each client that was cut off received its first snapshot afterwards, on the
   * other server; wall-clock time, because the kill happens in another process (the harness).
   */
  backAt: z.array(z.number()),
  /** Clients still not back when `backWithinMs` passed, or that gave up (a final close or answer). */
  notBack: z.number(),
  /** `GET /api/rooms/:roomId` requests after the first connect (re-joins, retries included), and those that failed. */
  rejoins: z.number(),
  failedRejoins: z.number(),
  /** WebSocket opens after the first connect that ended before a snapshot (e.g. to the dead server), by close code. */
  failedOpens: z.record(z.string(), z.number()),
  acknowledged: z.array(Acknowledged),
  /** Sends still unacknowledged after the senders stopped and waited: not acknowledged, so not counted as lost. */
  unacknowledged: z.number(),
  /** Error frames answering a send; the sender sends it again (the same clientId), as a person retrying would. */
  refusedSends: z.number(),
  /** Gaps, repeats or disorder in what a client received, wrong hosts, final closes: the workload fails. */
  problems: z.array(z.string()),
  problemCount: z.number(),
})
export type StormResult = z.infer<typeof StormResult>

export const ToWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run'), task: Task }),
  z.object({ type: z.literal('finish') }),
])
export type ToWorker = z.infer<typeof ToWorker>

export const FromWorker = z.discriminatedUnion('type', [
  /**
   * At a point the harness measures the servers: the load is in place (idle, flood), or a phase
   * starts or ends (cursors, edits). The harness answers `finish` once it has measured, and the
   * worker goes on: to the end (idle, flood), or into or out of its phase.
   */
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('result'), result: z.union([FanoutResult, RateResult, IdleResult, FloodResult, CursorsResult, EditsResult, StormResult]) }),
  z.object({ type: z.literal('failed'), error: z.string() }),
])
export type FromWorker = z.infer<typeof FromWorker>

/** What `probe.ts` answers inside a measured server process. */
export const ProbeReply = z.object({
  type: z.literal('probe'),
  rss: z.number(),
  heapUsed: z.number(),
  /** Memory of C++ objects bound to JS ones: Buffers, sockets' ArrayBuffers (`process.memoryUsage().external`). */
  external: z.number(),
  cpuUs: z.number(),
})
export type ProbeReply = z.infer<typeof ProbeReply>
