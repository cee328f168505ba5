import { randomBytes } from 'node:crypto'
import { Router, type RequestHandler } from 'express'
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
import { HttpError } from '../http/HttpError.js'
import { parseInput } from '../http/parseInput.js'
import type { BackendMetrics } from '../metrics/BackendMetrics.js'
import { PlacementError, PlacementErrorCode, type Placement, type Scheduler } from '../scheduler/index.js'
import type { SessionServerClient } from '../SessionServerClient.js'
import type { MessageStore } from '../storage/MessageStore.js'
import type { RoomCache } from '../storage/RoomCache.js'
import type { Room, RoomStore } from '../storage/RoomStore.js'

const JoinQuery = z.object({ failedHost: z.string().min(1).max(512).optional() })

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
}

export function roomRoutes(deps: RoomRoutesDeps): Router {
  const { rooms, joinCache, messages, scheduler, tokens } = deps
  const router = Router()
  router.use(deps.requireUser)

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
    const room = await rooms.create({ id: newRoomId(), name, ownerId: user.id })
    res.status(201).json({ roomId: room.id, name: room.name } satisfies CreateRoomResponse)
  })

  router.get('/', async (_req, res) => {
    const { user } = res.locals as UserLocals
    res.json({ rooms: await rooms.listForUser(user.id) } satisfies ListRoomsResponse)
  })

  router.get('/:roomId', async (req, res) => {
    const room = await findRoom(req.params.roomId, joinCache)
    const { failedHost } = parseInput(JoinQuery, req.query, 'query')
    const { user } = res.locals as UserLocals
    const placement = await place(room.id, failedHost)
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

  router.get('/:roomId/messages', async (req, res) => {
    const room = await findRoom(req.params.roomId)
    const query = parseInput(HistoryQuery, req.query, 'query')
    const { user } = res.locals as UserLocals
    if (!(await rooms.isMember(room.id, user.id))) throw HttpError.forbidden('join the room to read its history')
    res.json((await messages.page(room.id, query)) satisfies HistoryResponse)
  })

  async function place(roomId: string, failedHost: string | undefined): Promise<Placement> {
    try {
      const placement = await scheduler.placeRoom(roomId, { failedHost })
      deps.metrics.placements.inc({ outcome: 'placed' })
      // Not awaited: the old host is often the one that just failed, and the join must not wait
      // for it. Best effort; a stale host also learns on its next write (409) or load (epoch).
      if (placement.previousHost !== undefined) void deps.sessionServers.roomMoved(placement.previousHost, roomId)
      return placement
    } catch (error) {
      if (!(error instanceof PlacementError)) throw error
      deps.metrics.placements.inc({ outcome: error.code })
      if (error.code === PlacementErrorCode.ROOM_NOT_FOUND) throw HttpError.roomNotFound()
      throw new HttpError(503, error.code, error.message, { cause: error })
    }
  }

  return router
}
