import { randomBytes } from 'node:crypto'
import { Router, type RequestHandler, type Response } from 'express'
import { RateLimiterMemory } from 'rate-limiter-flexible'
import { z } from 'zod'
import {
  CreateRoomRequest,
  HistoryQuery,
  RoomIdParam,
  type CreateRoomResponse,
  type HistoryResponse,
  type JoinRoomResponse,
  type ListRoomsResponse,
} from '@scalable-chat/backend-contract'
import type { UserLocals } from '../auth/requireUser.js'
import type { TokenService } from '../auth/TokenService.js'
import { formatWait } from '../http/formatWait.js'
import { HttpError } from '../http/HttpError.js'
import { parseInput } from '../http/parseInput.js'
import { waitBefore } from '../http/rateLimit.js'
import type { BackendMetrics } from '../metrics/BackendMetrics.js'
import { PlacementError, PlacementErrorCode, type Placement, type Scheduler } from '../scheduler/index.js'
import type { SessionServerClient } from '../SessionServerClient.js'
import type { MessageStore } from '../storage/MessageStore.js'
import type { RoomCache } from '../storage/RoomCache.js'
import type { Room, RoomStore } from '../storage/RoomStore.js'

const JoinQuery = z.object({ failedHost: z.string().min(1).max(512).optional() })

/**
 * `failedHost` reports one user may make per minute. Each makes the backend probe that server at
 * once (and, confirmed, move its rooms); a client reports a host once per failed connection, with
 * backoff. Past this, the report is ignored and the join answered as without it (the periodic
 * health check still notices a dead server within seconds).
 */
export const FAILED_HOST_REPORTS_PER_MINUTE = 10

/** 12 url-safe characters (72 random bits): unguessable enough to share as a link. */
export function newRoomId(): string {
  return randomBytes(9).toString('base64url')
}

export interface RoomRoutesDeps {
  rooms: RoomStore
  /** What joins read rooms and record memberships through. */
  joinCache: RoomCache
  messages: MessageStore
  scheduler: Scheduler
  tokens: TokenService
  sessionServers: SessionServerClient
  requireUser: RequestHandler
  metrics: BackendMetrics
  /** Rooms one user may create per hour (`ROOMS_PER_USER_PER_HOUR`; in memory, per replica). */
  roomsPerUserPerHour: number
  /** What a `too_many_pending_rooms` answer's Retry-After says. */
  pendingPlacementGraceMs: number
}

export function roomRoutes(deps: RoomRoutesDeps): Router {
  const { rooms, joinCache, messages, scheduler, tokens } = deps
  const router = Router()
  router.use(deps.requireUser)
  const creations = new RateLimiterMemory({ keyPrefix: 'rooms', points: deps.roomsPerUserPerHour, duration: 3600 })
  const failedHostReports = new RateLimiterMemory({ keyPrefix: 'failed-host', points: FAILED_HOST_REPORTS_PER_MINUTE, duration: 60 })

  /** The room, or 404 for an unknown id and for anything that cannot be a room id. */
  async function findRoom(roomId: unknown, lookup: Pick<RoomStore, 'find'> = rooms): Promise<Room> {
    const id = RoomIdParam.safeParse(roomId)
    const room = id.success ? await lookup.find(id.data) : undefined
    if (!room) throw HttpError.roomNotFound()
    return room
  }

  router.post('/', async (req, res) => {
    const { name } = parseInput(CreateRoomRequest, req.body)
    const { user } = res.locals as UserLocals
    const wait = await waitBefore(creations, user.id)
    if (wait !== undefined) {
      res.set('retry-after', String(wait))
      throw new HttpError(429, 'too_many_rooms', `you created ${deps.roomsPerUserPerHour} rooms within the hour; try again in ${formatWait(wait)}`)
    }
    const room = await rooms.create({ id: newRoomId(), name, ownerId: user.id })
    res.status(201).json({ roomId: room.id, name: room.name } satisfies CreateRoomResponse)
  })

  router.get('/', async (_req, res) => {
    const { user } = res.locals as UserLocals
    res.json({ rooms: await rooms.listForUser(user.id) } satisfies ListRoomsResponse)
  })

  router.get('/:roomId', async (req, res) => {
    const room = await findRoom(req.params.roomId, joinCache)
    const query = parseInput(JoinQuery, req.query, 'query')
    const { user } = res.locals as UserLocals
    const failedHost = query.failedHost !== undefined && (await waitBefore(failedHostReports, user.id)) === undefined ? query.failedHost : undefined
    const placement = await place(room.id, user.id, failedHost, res)
    await joinCache.addMember(room.id, user.id)
    const token = tokens.signRoomToken({
      sub: user.id,
      username: user.username,
      roomId: room.id,
      host: placement.host,
      epoch: placement.epoch,
    })
    res.json({
      roomId: room.id,
      name: room.name,
      ownerId: room.ownerId,
      host: placement.host,
      token,
    } satisfies JoinRoomResponse)
  })

  router.delete('/:roomId', async (req, res) => {
    const room = await findRoom(req.params.roomId)
    const { user } = res.locals as UserLocals
    if (room.ownerId !== user.id) throw HttpError.forbidden('only the owner can delete a room')
    const placement = await scheduler.placementOf(room.id)
    await rooms.delete(room.id)
    joinCache.forget(room.id)
    if (placement) await deps.sessionServers.roomDeleted(placement.host, room.id)
    await scheduler.roomDeleted(room.id)
    res.status(204).end()
  })

  /**
   * Leaves the room: it leaves the user's list, their sockets in it close (LEFT_ROOM), and the link
   * still works to join again. The owner hands the room to the member who joined earliest; an
   * owner alone in it is refused (409 `last_member`: delete it instead). Leaving a room one is not
   * in changes nothing (204).
   */
  router.post('/:roomId/leave', async (req, res) => {
    const room = await findRoom(req.params.roomId)
    const { user } = res.locals as UserLocals
    const left = await rooms.leave(room.id, user.id)
    if (left.outcome === 'not_found') throw HttpError.roomNotFound()
    if (left.outcome === 'last_member') {
      throw new HttpError(409, 'last_member', 'you are the only member of this room: delete it instead')
    }
    if (left.outcome === 'left') {
      joinCache.forgetMember(room.id, user.id)
      const placement = await scheduler.placementOf(room.id)
      if (placement) await deps.sessionServers.memberLeft(placement.host, room.id, user.id, left.handedOver ? left.ownerId : undefined)
    }
    res.status(204).end()
  })

  router.get('/:roomId/messages', async (req, res) => {
    const room = await findRoom(req.params.roomId)
    const query = parseInput(HistoryQuery, req.query, 'query')
    const { user } = res.locals as UserLocals
    if (!(await rooms.isMember(room.id, user.id))) throw HttpError.forbidden('join the room to read its history')
    res.json((await messages.page(room.id, query)) satisfies HistoryResponse)
  })

  async function place(roomId: string, userId: string, failedHost: string | undefined, res: Response): Promise<Placement> {
    try {
      const placement = await scheduler.placeRoom(roomId, { userId, failedHost })
      deps.metrics.placements.inc({ outcome: 'placed' })
      // Not awaited: the old host is often the one that just failed, and the join must not wait
      // for it. Best effort; a stale host also learns on its next write (409) or load (epoch).
      if (placement.previousHost !== undefined) void deps.sessionServers.roomMoved(placement.previousHost, roomId)
      return placement
    } catch (error) {
      if (!(error instanceof PlacementError)) throw error
      deps.metrics.placements.inc({ outcome: error.code })
      if (error.code === PlacementErrorCode.ROOM_NOT_FOUND) throw HttpError.roomNotFound()
      if (error.code === PlacementErrorCode.TOO_MANY_PENDING_ROOMS) {
        res.set('retry-after', String(Math.ceil(deps.pendingPlacementGraceMs / 1000)))
        throw new HttpError(429, error.code, error.message, { cause: error })
      }
      throw new HttpError(503, error.code, error.message, { cause: error })
    }
  }

  return router
}
