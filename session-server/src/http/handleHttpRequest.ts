import type { IncomingMessage, ServerResponse } from 'node:http'
import { RoomIdParam } from '@scalable-chat/backend-contract'
import { z } from 'zod'
import { MAX_ONLINE_QUERY_ROOMS, secretMatcher, type OnlineCountsResponse } from '@scalable-chat/backend-contract/internal'
import type { Logger } from '../logger.js'
import type { SessionMetrics } from '../metrics/SessionMetrics.js'
import type { RoomRegistry } from '../room/RoomRegistry.js'
import { splitRequestTarget } from './splitRequestTarget.js'

/** Why the server should not get new clients now, or `undefined` when it is ready. */
export type NotReadyReason = 'not_registered' | 'draining'

export interface HttpDeps {
  rooms: RoomRegistry
  serviceToken: string
  metrics: SessionMetrics
  /** Unset: `/metrics` answers 404 (a session server is reachable by every client). */
  metricsToken: string | undefined
  notReady(): NotReadyReason | undefined
  logger: Logger
  /** This server's address's path prefix ('' for none); stripped from request paths when present. */
  basePath: string
}

const DELETE_ROOM_PATH = /^\/internal\/rooms\/([^/]+)$/
const MOVED_ROOM_PATH = /^\/internal\/rooms\/([^/]+)\/moved$/
const MEMBER_LEFT_PATH = /^\/internal\/rooms\/([^/]+)\/members\/([^/]+)\/left$/
/** A member who left, and the room's owner when it changed hands. */
const MemberLeft = z.object({ userId: z.uuid(), ownerId: z.uuid().optional() })

/**
 * The few plain HTTP routes of a session server: `GET /healthz` (liveness) and `GET /readyz`
 * (registered with the backend and not draining) for orchestrators, `GET /metrics` (Prometheus,
 * bearer `METRICS_TOKEN`), and for the backend (service token) `DELETE /internal/rooms/:roomId`
 * when a room is deleted, `POST /internal/rooms/:roomId/moved` when it was placed elsewhere and
 * `POST /internal/rooms/:roomId/members/:userId/left[?ownerId=]` when a member left, and
 * `GET /internal/rooms/online?ids=…` for the public directory. None reads a request body, so none
 * needs a size limit.
 */
export function createHttpHandler({ rooms, serviceToken, metrics, metricsToken, notReady, logger, basePath }: HttpDeps) {
  const isServiceAuth = secretMatcher(`Bearer ${serviceToken}`)
  const isMetricsAuth = metricsToken === undefined ? undefined : secretMatcher(`Bearer ${metricsToken}`)

  return function handleHttpRequest(req: IncomingMessage, res: ServerResponse): void {
    const target = splitRequestTarget(req.url)
    const path = withoutPrefix(target.path, basePath)
    if (req.method === 'GET' && path === '/healthz') {
      // Liveness, so 200 even while draining; `draining` tells the backend's Scheduler to place no
      // new rooms here, while the rooms this server holds stay until its drain releases them.
      return json(res, 200, { ok: true, draining: rooms.isDraining, rooms: rooms.size, connections: rooms.connectionCount })
    }
    if (req.method === 'GET' && path === '/readyz') {
      const reason = notReady()
      if (reason === undefined) return json(res, 200, { ok: true })
      return json(res, 503, { error: { code: reason, message: reason === 'draining' ? 'the server is draining' : 'not registered with the backend yet' } })
    }
    if (req.method === 'GET' && path === '/metrics' && isMetricsAuth !== undefined) {
      if (!isMetricsAuth(req.headers.authorization)) {
        return json(res, 401, { error: { code: 'unauthorized', message: 'a valid metrics token is required' } })
      }
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (error: unknown) => {
          logger.error({ err: error }, 'metrics failed')
          json(res, 500, { error: { code: 'internal', message: 'metrics unavailable' } })
        },
      )
      return
    }
    if (req.method === 'GET' && path === '/internal/rooms/online') {
      if (!isServiceAuth(req.headers.authorization)) {
        return json(res, 401, { error: { code: 'unauthorized', message: 'a valid service token is required' } })
      }
      const ids = (target.query.get('ids') ?? '').split(',').filter((id) => id !== '')
      if (ids.length > MAX_ONLINE_QUERY_ROOMS) {
        return json(res, 400, { error: { code: 'invalid_request', message: `at most ${MAX_ONLINE_QUERY_ROOMS} rooms at once` } })
      }
      const online: OnlineCountsResponse['online'] = {}
      for (const id of ids) {
        const room = rooms.get(id)
        if (room && !room.isClosed) online[id] = room.memberCount
      }
      return json(res, 200, { online } satisfies OnlineCountsResponse)
    }
    const deleted = req.method === 'DELETE' ? DELETE_ROOM_PATH.exec(path) : null
    const moved = req.method === 'POST' ? MOVED_ROOM_PATH.exec(path) : null
    const left = req.method === 'POST' ? MEMBER_LEFT_PATH.exec(path) : null
    const match = deleted ?? moved ?? left
    if (match) {
      if (!isServiceAuth(req.headers.authorization)) {
        return json(res, 401, { error: { code: 'unauthorized', message: 'a valid service token is required' } })
      }
      const roomId = safeDecode(match[1] ?? '')
      if (roomId === undefined || !RoomIdParam.safeParse(roomId).success) return void res.writeHead(204).end()
      if (deleted) rooms.delete(roomId)
      else if (moved) rooms.moved(roomId)
      else {
        const member = MemberLeft.safeParse({ userId: safeDecode(match[2] ?? ''), ownerId: target.query.get('ownerId') ?? undefined })
        if (!member.success) return json(res, 400, { error: { code: 'invalid_request', message: z.prettifyError(member.error) } })
        rooms.memberLeft(roomId, member.data.userId, member.data.ownerId)
      }
      res.writeHead(204).end()
      return
    }
    json(res, 404, { error: { code: 'not_found', message: 'not found' } })
  }
}

/** `decodeURIComponent` throws on a malformed escape (`%E0%A4%A`): that must be a 204, not a crash. */
function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value)
  } catch {
    return undefined
  }
}

function withoutPrefix(path: string, prefix: string): string {
  if (prefix === '' || (path !== prefix && !path.startsWith(`${prefix}/`))) return path
  return path.slice(prefix.length) || '/'
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}
