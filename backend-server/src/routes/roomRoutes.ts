import { randomBytes } from 'node:crypto'
import { Router, type RequestHandler, type Response } from 'express'
import { RateLimiterMemory } from 'rate-limiter-flexible'
import { z } from 'zod'
import {
  CreateRoomRequest,
  DirectoryQuery,
  HistoryQuery,
  RoomIdParam,
  UpdateRoomRequest,
  type CreateRoomResponse,
  type DirectoryResponse,
  type PublicRoom,
  type HistoryResponse,
  type JoinRoomResponse,
  type ListRoomsResponse,
} from '@scalable-chat/backend-contract'
import { refuseGuest, requireGuestRoom } from '../auth/guestAccess.js'
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
import { summaryOf, type DirectoryRoom, type Room, type RoomStore } from '../storage/RoomStore.js'

/**
 * `rejoin=1`: a reconnect of a client that was in the room, not a person opening it. It does not
 * make anyone a member again: a member who left (on another device, say) gets 410 `left_room`.
 */
const JoinQuery = z.object({ failedHost: z.string().min(1).max(512).optional(), rejoin: z.literal('1').optional() })

/** Where a directory page ends: the last room's activity time and id, as an opaque string. */
const DirectoryCursor = z.tuple([z.iso.datetime(), RoomIdParam])

function encodeCursor(room: Room): string {
  return Buffer.from(JSON.stringify([room.lastActivityAt, room.id])).toString('base64url')
}

function decodeCursor(cursor: string): { lastActivityAt: string; id: string } {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    parsed = undefined
  }
  const valid = DirectoryCursor.safeParse(parsed)
  if (!valid.success) throw new HttpError(400, 'invalid_request', 'cursor: not a cursor from a previous page')
  return { lastActivityAt: valid.data[0], id: valid.data[1] }
}

/**
 * `failedHost` reports one user may make per minute. Each makes the backend probe that server at
 * once (and, confirmed, move its rooms); a client reports a host once per failed connection, with
 * backoff. Past this, the report is ignored and the join answered as without it (the periodic
 * health check still notices a dead server within seconds).
 */
export const FAILED_HOST_REPORTS_PER_MINUTE = 10

/**
 * Directory pages one user may ask for per minute. A search scans the public rooms and asks their
 * session servers who is online: plenty for a person paging and typing a search, not for a loop.
 */
export const DIRECTORY_REQUESTS_PER_MINUTE = 60

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
  const directoryRequests = new RateLimiterMemory({ keyPrefix: 'directory', points: DIRECTORY_REQUESTS_PER_MINUTE, duration: 60 })
  const failedHostReports = new RateLimiterMemory({ keyPrefix: 'failed-host', points: FAILED_HOST_REPORTS_PER_MINUTE, duration: 60 })

  /** The room, or 404 for an unknown id and for anything that cannot be a room id. */
  async function findRoom(roomId: unknown, lookup: Pick<RoomStore, 'find'> = rooms): Promise<Room> {
    const id = RoomIdParam.safeParse(roomId)
    const room = id.success ? await lookup.find(id.data) : undefined
    if (!room) throw HttpError.roomNotFound()
    return room
  }

  router.post('/', async (req, res) => {
    refuseGuest(res.locals as UserLocals, 'create rooms')
    const { name, visibility, description } = parseInput(CreateRoomRequest, req.body)
    const { user } = res.locals as UserLocals
    const wait = await waitBefore(creations, user.id)
    if (wait !== undefined) {
      res.set('retry-after', String(wait))
      throw new HttpError(429, 'too_many_rooms', `you created ${deps.roomsPerUserPerHour} rooms within the hour; try again in ${formatWait(wait)}`)
    }
    const room = await rooms.create({ id: newRoomId(), name, ownerId: user.id, visibility, description })
    res.status(201).json({ roomId: room.id, name: room.name } satisfies CreateRoomResponse)
  })

  // A guest is a member of its own room only, so its list is that room.
  router.get('/', async (_req, res) => {
    const { user } = res.locals as UserLocals
    res.json({ rooms: await rooms.listForUser(user) } satisfies ListRoomsResponse)
  })

  /**
   * The public directory: public rooms whose name or description contains `q`, most recently
   * active first, with their member count and how many are online now (asked of their session
   * servers, one request per server, never waited on for more than a second: null when unknown).
   */
  router.get('/public', async (req, res) => {
    refuseGuest(res.locals as UserLocals, 'browse the public rooms')
    const query = parseInput(DirectoryQuery, req.query, 'query')
    const { user } = res.locals as UserLocals
    const wait = await waitBefore(directoryRequests, user.id)
    if (wait !== undefined) {
      res.set('retry-after', String(wait))
      throw new HttpError(429, 'too_many_requests', `too many directory searches; try again in ${formatWait(wait)}`)
    }
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
    const page = await rooms.directory({ query: query.q, after, limit: query.limit })
    const online = await onlineCounts(page.rooms)
    const last = page.rooms.at(-1)
    res.json({
      rooms: page.rooms.map(({ room, owner, memberCount }): PublicRoom => ({
        roomId: room.id,
        name: room.name,
        description: room.description,
        owner,
        memberCount,
        online: online.get(room.id) ?? null,
        lastActivityAt: room.lastActivityAt,
      })),
      nextCursor: page.hasMore && last ? encodeCursor(last.room) : null,
    } satisfies DirectoryResponse)
  })

  /** How many are online in each room: 0 where it is not placed, null where its server did not say. */
  async function onlineCounts(listed: readonly DirectoryRoom[]): Promise<Map<string, number | null>> {
    const counts = new Map<string, number | null>()
    const byHost = new Map<string, string[]>()
    await Promise.all(
      listed.map(async ({ room }) => {
        const placement = await scheduler.placementOf(room.id)
        if (!placement) return counts.set(room.id, 0)
        byHost.set(placement.host, [...(byHost.get(placement.host) ?? []), room.id])
      }),
    )
    await Promise.all(
      [...byHost].map(async ([host, ids]) => {
        const answer = await deps.sessionServers.onlineCounts(host, ids)
        for (const id of ids) counts.set(id, answer ? (answer[id] ?? 0) : null)
      }),
    )
    return counts
  }

  /** The owner changes who finds the room (`visibility`) and its `description`. */
  router.patch('/:roomId', async (req, res) => {
    refuseGuest(res.locals as UserLocals, 'change rooms')
    const room = await findRoom(req.params.roomId)
    const changes = parseInput(UpdateRoomRequest, req.body)
    const { user } = res.locals as UserLocals
    if (room.ownerId !== user.id) throw HttpError.forbidden('only the owner can change a room')
    const updated = await rooms.update(room.id, changes)
    if (!updated) throw HttpError.roomNotFound()
    joinCache.forget(room.id)
    res.json(summaryOf(updated, user))
  })

  router.get('/:roomId', async (req, res) => {
    requireGuestRoom(res.locals as UserLocals, req.params.roomId)
    const room = await findRoom(req.params.roomId, joinCache)
    const query = parseInput(JoinQuery, req.query, 'query')
    const { user, guestExpiresAt } = res.locals as UserLocals
    if (query.rejoin && !(await joinCache.isMember(room.id, user.id))) {
      throw new HttpError(410, 'left_room', 'you left this room; open its link to join again')
    }
    const failedHost = query.failedHost !== undefined && (await waitBefore(failedHostReports, user.id)) === undefined ? query.failedHost : undefined
    // Placed first: a join that cannot be placed (no server, too many pending rooms) makes nobody a member.
    const placement = await place(room.id, user.id, failedHost, res)
    // Where the user's unread part starts, and, for someone opening the room, their membership
    // (one statement). Not on a reconnect: the tab knows where it was, and a reconnect storm stays
    // free of database statements (the session server holds the newer position in memory anyway).
    const readSeq = query.rejoin ? 0 : await joinCache.join(room.id, user.id)
    const token = tokens.signRoomToken(
      {
        sub: user.id,
        username: user.username,
        roomId: room.id,
        host: placement.host,
        epoch: placement.epoch,
        readSeq: readSeq ?? 0,
        // Only a guest's token says so: an account's claims (and its member frames) do not grow.
        ...(user.guest ? { guest: true } : {}),
      },
      guestExpiresAt,
    )
    res.json({
      roomId: room.id,
      name: room.name,
      ownerId: room.ownerId,
      host: placement.host,
      token,
      visibility: room.visibility,
      description: room.description,
    } satisfies JoinRoomResponse)
  })

  router.delete('/:roomId', async (req, res) => {
    refuseGuest(res.locals as UserLocals, 'delete rooms')
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
   * still works to join again. The owner hands the room to the member with an account who joined
   * earliest (never to a guest); an owner alone in it, or with only guests beside them, is refused
   * (409 `last_member`: delete it instead). Leaving a room one is not
   * in changes nothing (204).
   */
  router.post('/:roomId/leave', async (req, res) => {
    requireGuestRoom(res.locals as UserLocals, req.params.roomId)
    const room = await findRoom(req.params.roomId)
    const { user } = res.locals as UserLocals
    const left = await rooms.leave(room.id, user.id)
    if (left.outcome === 'not_found') throw HttpError.roomNotFound()
    if (left.outcome === 'last_member') {
      throw new HttpError(409, 'last_member', 'you are the only member of this room: delete it instead')
    }
    if (left.outcome === 'only_guests') {
      throw new HttpError(409, 'last_member', 'only guests would remain, and a guest cannot own a room: delete it instead')
    }
    if (left.outcome === 'left') {
      joinCache.forgetMember(room.id, user.id)
      const placement = await scheduler.placementOf(room.id)
      if (placement) await deps.sessionServers.memberLeft(placement.host, room.id, user.id, left.handedOver ? left.ownerId : undefined)
    }
    res.status(204).end()
  })

  router.get('/:roomId/messages', async (req, res) => {
    requireGuestRoom(res.locals as UserLocals, req.params.roomId)
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
