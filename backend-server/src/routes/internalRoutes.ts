import express, { Router } from 'express'
import { z } from 'zod'
import { RoomIdParam } from '@scalable-chat/backend-contract'
import {
  CommitRequest,
  DeregisterRequest,
  HeartbeatRequest,
  InternalErrorCode,
  LoadRoomQuery,
  ReadRequest,
  MAX_BOARD_BODY_BYTES,
  MAX_COMMIT_BODY_BYTES,
  MAX_INTERNAL_BODY_BYTES,
  MAX_READ_BODY_BYTES,
  MAX_SEEN_BODY_BYTES,
  RegisterRequest,
  ReleaseRequest,
  ROOM_LOAD_MEMBERS,
  SaveBoardRequest,
  SeenRequest,
  type CommitResponse,
  type RoomTokenKeyResponse,
  type LoadRoomResponse,
} from '@scalable-chat/backend-contract/internal'
import { requireService } from '../auth/requireService.js'
import { HttpError } from '../http/HttpError.js'
import { parseInput } from '../http/parseInput.js'
import type { BackendMetrics } from '../metrics/BackendMetrics.js'
import type { Scheduler } from '../scheduler/index.js'
import type { FleetStore } from '../storage/FleetStore.js'
import type { BoardStore } from '../storage/BoardStore.js'
import type { MessageStore } from '../storage/MessageStore.js'
import type { RoomStore } from '../storage/RoomStore.js'

/** User ids are uuids in storage; refuse anything else here rather than fail in SQL. */
const UserIds = z.array(z.object({ userId: z.uuid() }))

const notFound = () => new HttpError(404, InternalErrorCode.NOT_FOUND, 'room not found')
const roomMoved = () => new HttpError(409, InternalErrorCode.ROOM_MOVED, 'the room is placed elsewhere now')

/**
 * `/internal/...`: used by session servers only, with the service token (the contract's
 * `internal/api.ts`). The token is checked before anything else, and each route reads a body
 * only as big as its largest legal request: a group commit up to `MAX_COMMIT_BODY_BYTES`, the
 * rest `MAX_INTERNAL_BODY_BYTES`; 413 above, refused on the `Content-Length` before any is read.
 */
export function internalRoutes(deps: {
  rooms: RoomStore
  messages: MessageStore
  boards: BoardStore
  fleet: FleetStore
  /** Placements change only through it. */
  scheduler: Scheduler
  serviceToken: string
  /** The public half of the room-token key, which session servers verify with. */
  roomTokenKey: RoomTokenKeyResponse
  metrics: BackendMetrics
}): Router {
  const { rooms, messages, boards, fleet, scheduler } = deps
  const router = Router()
  router.use(requireService(deps.serviceToken, deps.metrics))
  const commitBody = express.json({ limit: MAX_COMMIT_BODY_BYTES })
  const boardBody = express.json({ limit: MAX_BOARD_BODY_BYTES })
  const smallBody = express.json({ limit: MAX_INTERNAL_BODY_BYTES })
  const seenBody = express.json({ limit: MAX_SEEN_BODY_BYTES })
  const readBody = express.json({ limit: MAX_READ_BODY_BYTES })

  function roomIdOf(value: unknown): string {
    const id = RoomIdParam.safeParse(value)
    if (!id.success) throw notFound()
    return id.data
  }

  router.get('/room-token-key', (_req, res) => {
    res.json(deps.roomTokenKey satisfies RoomTokenKeyResponse)
  })

  router.get('/rooms/:roomId', async (req, res) => {
    const roomId = roomIdOf(req.params.roomId)
    const { host } = parseInput(LoadRoomQuery, req.query, 'query')
    const placement = await scheduler.roomLoaded(roomId, host)
    const room = await rooms.find(roomId)
    if (!room) throw notFound()
    if (!placement) throw roomMoved()
    // Only this room's session server writes to it, and it is loading it now: nothing is
    // written to the log while it is read.
    const [log, board, members] = await Promise.all([
      messages.loadLog(roomId),
      boards.load(roomId),
      rooms.membersSeen(roomId, ROOM_LOAD_MEMBERS),
    ])
    res.json({
      room: { id: room.id, name: room.name, ownerId: room.ownerId },
      epoch: placement.epoch,
      ...log,
      board,
      members,
    } satisfies LoadRoomResponse)
  })

  router.post('/rooms/:roomId/messages', commitBody, async (req, res) => {
    const roomId = roomIdOf(req.params.roomId)
    const request = parseInput(CommitRequest, req.body)
    parseInput(UserIds, request.entries)
    const outcome = await messages.commit(roomId, request)
    if (!outcome.ok) {
      throw new HttpError(outcome.code === InternalErrorCode.NOT_FOUND ? 404 : 409, outcome.code, outcome.message)
    }
    res.json({ results: outcome.results, seq: outcome.seq } satisfies CommitResponse)
  })

  router.put('/rooms/:roomId/board', boardBody, async (req, res) => {
    const roomId = roomIdOf(req.params.roomId)
    const { host, epoch, board } = parseInput(SaveBoardRequest, req.body)
    const outcome = await boards.save(roomId, host, epoch, board)
    if (!outcome.ok) throw outcome.reason === 'not_found' ? notFound() : roomMoved()
    res.status(204).end()
  })

  // When members were last connected: any session server may report it (it is not the room's
  // state, and an older time never overwrites a newer one), so it is not fenced.
  router.post('/rooms/:roomId/seen', seenBody, async (req, res) => {
    const roomId = roomIdOf(req.params.roomId)
    const { seen } = parseInput(SeenRequest, req.body)
    await rooms.recordSeen(roomId, seen)
    res.status(204).end()
  })

  // How far members have read: fenced, unlike "seen", because only the room's server knows the
  // room's seqs; it posts them before it releases the room, so a fenced batch is a stale server's.
  router.post('/rooms/:roomId/read', readBody, async (req, res) => {
    const roomId = roomIdOf(req.params.roomId)
    const { host, epoch, reads } = parseInput(ReadRequest, req.body)
    const outcome = await rooms.recordReads(roomId, host, epoch, reads)
    if (!outcome.ok) throw outcome.reason === 'not_found' ? notFound() : roomMoved()
    res.status(204).end()
  })

  router.post('/rooms/:roomId/release', smallBody, async (req, res) => {
    const roomId = roomIdOf(req.params.roomId)
    const { host, epoch } = parseInput(ReleaseRequest, req.body)
    // A release that no longer matches (the room moved on) is fine: the caller's intent holds.
    await scheduler.roomReleased(roomId, host, epoch)
    res.status(204).end()
  })

  router.post('/servers/register', smallBody, async (req, res) => {
    const registration = parseInput(RegisterRequest, req.body)
    await scheduler.serverRegistered(registration.host)
    await fleet.register(registration)
    res.status(204).end()
  })

  // The fleet is kept whatever the Scheduler, so switching to SCHEDULER=fleet finds it populated.
  router.post('/servers/heartbeat', smallBody, async (req, res) => {
    await fleet.heartbeat(parseInput(HeartbeatRequest, req.body))
    res.status(204).end()
  })

  router.post('/servers/deregister', smallBody, async (req, res) => {
    const { host } = parseInput(DeregisterRequest, req.body)
    await fleet.deregister(host)
    // Drained rooms were released one by one already; anything left (a flush that timed out) moves now.
    await scheduler.serverLeft(host)
    res.status(204).end()
  })

  return router
}
