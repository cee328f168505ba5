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
  /** Opens `members` connections per room, reports `ready`, holds them until told to `finish`. */
  z.object({ kind: z.literal('idle'), target: Target, members: z.number().int().min(1), timeoutMs: z.number().int().min(1) }),
  /** `requests` × `GET /api/rooms/:roomId`, `concurrency` at a time over keep-alive connections. */
  z.object({
    kind: z.literal('joins'),
    backendUrl: z.string(),
    userTokens: z.array(z.string()).min(1),
    roomIds: z.array(z.string()).min(1),
    requests: z.number().int().min(1),
    concurrency: z.number().int().min(1),
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

export const ToWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run'), task: Task }),
  z.object({ type: z.literal('finish') }),
])
export type ToWorker = z.infer<typeof ToWorker>

export const FromWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('result'), result: z.union([FanoutResult, RateResult, IdleResult, FloodResult]) }),
  z.object({ type: z.literal('failed'), error: z.string() }),
])
export type FromWorker = z.infer<typeof FromWorker>

/** What `probe.ts` answers inside a measured server process. */
export const ProbeReply = z.object({ type: z.literal('probe'), rss: z.number(), heapUsed: z.number(), cpuUs: z.number() })
export type ProbeReply = z.infer<typeof ProbeReply>
