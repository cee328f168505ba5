import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/**
 * The backend's Prometheus metrics, in a registry of its own (not prom-client's global one), so
 * tests that start several backends in one process do not collide. Served by `GET /metrics`.
 */
export class BackendMetrics {
  readonly registry = new Registry()

  /** By route pattern (`/api/rooms/:roomId`, never the raw URL: ids would explode cardinality). */
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  })

  /** `placed`: a join got a host; otherwise the PlacementError code (`no_servers`, `no_capacity`). */
  readonly placements = new Counter({
    name: 'room_placements_total',
    help: 'Room placement requests by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  })

  readonly authFailures = new Counter({
    name: 'auth_failures_total',
    help: 'Refused authentication attempts by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  })

  constructor(options: { processMetrics?: boolean } = {}) {
    // CPU, memory, event-loop lag: one set per process, so only the process's own backend has them.
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry })
  }
}

/** Values of `auth_failures_total{reason}`. */
export const AuthFailureReason = {
  INVALID_CREDENTIALS: 'invalid_credentials',
  THROTTLED: 'throttled',
  RATE_LIMITED: 'rate_limited',
  INVALID_TOKEN: 'invalid_token',
  INVALID_SERVICE_TOKEN: 'invalid_service_token',
} as const
export type AuthFailureReason = (typeof AuthFailureReason)[keyof typeof AuthFailureReason]
