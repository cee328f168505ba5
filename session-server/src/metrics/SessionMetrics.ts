import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { RoomRegistry } from '../room/RoomRegistry.js'

/** Values of `rejected_inputs_total{reason}`: the protocol's error codes plus refused handshakes. */
export type RejectReason = string

/**
 * The session server's Prometheus metrics, in a registry of its own (tests start several servers
 * in one process). Hot-path cost is one counter increment per message and one histogram
 * observation per broadcast: nothing per recipient. Gauges are read from the `RoomRegistry` only
 * when Prometheus scrapes.
 */
export class SessionMetrics {
  readonly registry = new Registry()

  readonly messagesReceived = new Counter({
    name: 'chat_messages_received_total',
    help: 'Chat messages accepted from clients (before storage)',
    registers: [this.registry],
  })

  readonly messagesBroadcast = new Counter({
    name: 'chat_messages_broadcast_total',
    help: 'Stored chat messages broadcast to their room',
    registers: [this.registry],
  })

  readonly broadcastDuration = new Histogram({
    name: 'broadcast_duration_seconds',
    help: 'Time to serialise a message once and write it to every member connection',
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1],
    registers: [this.registry],
  })

  readonly commitBatchSize = new Histogram({
    name: 'commit_batch_size',
    help: 'Messages per group commit to the backend',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [this.registry],
  })

  readonly commitDuration = new Histogram({
    name: 'commit_duration_seconds',
    help: 'Round trip of one group commit to the backend (each attempt)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  })

  readonly rejectedInputs = new Counter({
    name: 'rejected_inputs_total',
    help: 'Refused frames and handshakes by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  })

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry })
  }

  /** Gauges that read the registry's current state at scrape time. */
  observeRooms(rooms: RoomRegistry): void {
    new Gauge({
      name: 'rooms_loaded',
      help: 'Rooms held in memory',
      registers: [this.registry],
      collect() {
        this.set(rooms.size)
      },
    })
    new Gauge({
      name: 'connections_open',
      help: 'Open WebSocket connections joined to a room',
      registers: [this.registry],
      collect() {
        this.set(rooms.connectionCount)
      },
    })
    new Gauge({
      name: 'room_members',
      help: 'Distinct users across loaded rooms',
      registers: [this.registry],
      collect() {
        this.set(rooms.memberCount)
      },
    })
  }

  reject(reason: RejectReason): void {
    this.rejectedInputs.inc({ reason })
  }
}
