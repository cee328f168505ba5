import { timingSafeEqual, createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { RoomIdParam } from '@scalable-chat/backend-server/contract'
import type { RoomRegistry } from '../room/RoomRegistry.js'

export interface HttpDeps {
  rooms: RoomRegistry
  serviceToken: string
}

const DELETE_ROOM_PATH = /^\/internal\/rooms\/([^/]+)$/

/**
 * The few plain HTTP routes of a session server: `GET /healthz` for load balancers, and
 * `DELETE /internal/rooms/:roomId` for the backend (service token) when a room is deleted.
 */
export function createHttpHandler({ rooms, serviceToken }: HttpDeps) {
  const expectedDigest = digest(`Bearer ${serviceToken}`)

  return function handleHttpRequest(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://session-server').pathname
    if (req.method === 'GET' && path === '/healthz') {
      return json(res, 200, { ok: true, rooms: rooms.size, connections: rooms.connectionCount })
    }
    const match = DELETE_ROOM_PATH.exec(path)
    if (req.method === 'DELETE' && match) {
      // Digests have equal lengths, so the comparison is constant-time whatever was sent.
      if (!timingSafeEqual(digest(req.headers.authorization ?? ''), expectedDigest)) {
        return json(res, 401, { error: { code: 'unauthorized', message: 'a valid service token is required' } })
      }
      const roomId = decodeURIComponent(match[1] ?? '')
      if (RoomIdParam.safeParse(roomId).success) rooms.delete(roomId)
      res.writeHead(204).end()
      return
    }
    json(res, 404, { error: { code: 'not_found', message: 'not found' } })
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}
