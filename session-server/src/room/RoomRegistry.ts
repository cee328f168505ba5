/**
 * The rooms this server holds: loads a room on its first connection (one load in flight per room,
 * shared by concurrent joins), unloads it a grace period after it empties (then releases it to the
 * backend), forgets it when it is deleted or fenced, and drains everything on shutdown.
 */
import { CloseCode } from '@scalable-chat/protocol'
import type { BackendApi } from '../backendApi/BackendApi.js'
import type { SendRateLimiter } from '../connection/SendRateLimiter.js'
import type { Logger } from '../logger.js'
import { Room, type RoomLimits, type RoomMetrics, type RoomOwner } from './Room.js'
import { SeenReporter } from './SeenReporter.js'

/** On drain, how long to wait for a room's last batch before closing it anyway. */
export const DRAIN_FLUSH_TIMEOUT_MS = 10_000

/**
 * Waits before trying a load again after the backend did not answer (timeout, 5xx). When a server
 * dies, its clients all re-join through the backend at once, and this server's loads queue behind
 * them there: the reconnect-storm benchmark saw them time out, and closing the waiting clients with
 * ROOM_UNAVAILABLE sent each of them through the backend AGAIN (2.3 re-joins per client, the storm
 * twice as long). A client waits on its open socket meanwhile; one load serves the room's clients.
 */
export const LOAD_RETRY_DELAYS_MS: readonly number[] = [500, 1000, 2000]

export type AcquireResult = { ok: true; room: Room } | { ok: false; close: CloseCode }

export interface RoomRegistryDeps {
  backendApi: BackendApi
  host: string
  /** Messages per user, over every room of this server. */
  rateLimiter: SendRateLimiter
  limits: RoomLimits
  unloadGraceMs: number
  logger: Logger
  metrics?: RoomMetrics
  /** Default `LOAD_RETRY_DELAYS_MS`; one entry per retry. */
  loadRetryDelaysMs?: readonly number[]
}

export class RoomRegistry implements RoomOwner {
  private readonly rooms = new Map<string, Room>()
  private readonly loading = new Map<string, Promise<AcquireResult>>()
  private readonly unloadTimers = new Map<string, NodeJS.Timeout>()
  /** Releases in flight: a room must not be loaded again before its release reached the backend. */
  private readonly releasing = new Map<string, Promise<void>>()
  /** When members' last connections closed, batched to the backend. */
  private readonly seen: SeenReporter
  private draining = false

  constructor(private readonly deps: RoomRegistryDeps) {
    this.seen = new SeenReporter({ backendApi: deps.backendApi, host: deps.host, logger: deps.logger })
  }

  get size(): number {
    return this.rooms.size
  }

  /** Set by `drain` and `closeAll`, never cleared: this server is on its way out. */
  get isDraining(): boolean {
    return this.draining
  }

  get connectionCount(): number {
    let count = 0
    for (const room of this.rooms.values()) count += room.connectionCount
    return count
  }

  get memberCount(): number {
    let count = 0
    for (const room of this.rooms.values()) count += room.memberCount
    return count
  }

  get(roomId: string): Room | undefined {
    return this.rooms.get(roomId)
  }

  /**
   * The room, loaded if needed. The caller joins it right away, or calls `unloadIfEmpty` when it
   * no longer wants it (its client left during the load). `epoch` is the placement epoch the
   * client's token was minted for: a room held here with an older one is a stale copy (the room
   * moved away and came back), so it is closed with ROOM_MOVED and loaded afresh.
   */
  async acquire(roomId: string, epoch = 0): Promise<AcquireResult> {
    if (this.draining) return { ok: false, close: CloseCode.SERVICE_RESTART }
    const room = this.rooms.get(roomId)
    if (room && !room.isClosed && room.epoch < epoch) {
      this.deps.logger.info({ roomId, epoch: room.epoch, tokenEpoch: epoch }, 'room placed here again; reloading')
      this.moved(roomId)
    } else if (room && !room.isClosed) {
      this.cancelUnload(roomId)
      return { ok: true, room }
    }
    let load = this.loading.get(roomId)
    if (load === undefined) {
      load = this.load(roomId).finally(() => this.loading.delete(roomId))
      this.loading.set(roomId, load)
    }
    return load
  }

  /** The room's last connection left: the unload grace period starts. */
  roomEmptied(room: Room): void {
    this.unloadIfEmpty(room)
  }

  /** The room closed itself (fenced or deleted): forgotten, without a release (it is not ours). */
  roomClosed(room: Room): void {
    this.forget(room)
  }

  /** Starts the unload grace period if nobody is in the room. */
  unloadIfEmpty(room: Room): void {
    if (room.connectionCount > 0 || room.isClosed || this.rooms.get(room.id) !== room || this.draining) return
    this.cancelUnload(room.id)
    const timer = setTimeout(() => {
      this.unloadTimers.delete(room.id)
      void this.unload(room)
    }, this.deps.unloadGraceMs)
    this.unloadTimers.set(room.id, timer)
  }

  /** The backend deleted the room: tell its members, close their sockets, forget it (no release). */
  delete(roomId: string): boolean {
    const room = this.rooms.get(roomId)
    if (!room) return false
    this.forget(room)
    room.close(CloseCode.ROOM_DELETED, { type: 'room_deleted' })
    this.deps.logger.info({ roomId }, 'room deleted')
    return true
  }

  /** A member left the room (through the backend); `ownerId` when it changed hands. */
  memberLeft(roomId: string, userId: string, ownerId?: string): boolean {
    const room = this.rooms.get(roomId)
    if (!room || room.isClosed) return false
    room.memberLeft(userId, ownerId)
    return true
  }

  /**
   * The backend placed the room elsewhere: close its sockets with ROOM_MOVED (its clients re-join
   * through the backend and find the new host) and forget it (no release: it is not ours).
   */
  moved(roomId: string): boolean {
    const room = this.rooms.get(roomId)
    if (!room) return false
    this.forget(room)
    room.close(CloseCode.ROOM_MOVED)
    return true
  }

  /**
   * Graceful shutdown: refuse new joins, store every room's accepted messages, release the rooms,
   * then close sockets with SERVICE_RESTART (clients reconnect at once, possibly elsewhere).
   * Release BEFORE close: a client re-joins the moment its socket closes, and a backend that has
   * not heard of the release yet would send it straight back to this draining host.
   */
  async drain(): Promise<void> {
    this.draining = true
    for (const timer of this.unloadTimers.values()) clearTimeout(timer)
    this.unloadTimers.clear()
    await Promise.allSettled([...this.loading.values()])
    const rooms = [...this.rooms.values()]
    await Promise.all(
      rooms.map(async (room) => {
        // Messages are acknowledged only once stored, so the flush covers every one; a board edit
        // is acknowledged when applied, so edits stop here, before the board's last save.
        room.freezeBoard()
        const flushed = await withTimeout(room.flushed(), DRAIN_FLUSH_TIMEOUT_MS)
        if (!flushed) this.deps.logger.error({ roomId: room.id, pending: room.pendingCount }, 'drain: messages not stored in time')
        this.forget(room)
        await this.release(room)
        room.close(CloseCode.SERVICE_RESTART)
      }),
    )
    await Promise.allSettled([...this.releasing.values(), this.seen.flush()])
  }

  /** Immediate stop without talking to the backend (tests, fatal errors). */
  closeAll(): void {
    this.draining = true
    for (const timer of this.unloadTimers.values()) clearTimeout(timer)
    this.unloadTimers.clear()
    for (const room of [...this.rooms.values()]) {
      this.forget(room)
      room.close(CloseCode.SERVICE_RESTART)
    }
  }

  private async load(roomId: string): Promise<AcquireResult> {
    await this.releasing.get(roomId)
    let result = await this.deps.backendApi.loadRoom(roomId, this.deps.host)
    for (const delay of this.deps.loadRetryDelaysMs ?? LOAD_RETRY_DELAYS_MS) {
      if (result.ok || result.reason !== 'unavailable' || this.draining) break
      this.deps.logger.info({ roomId, detail: result.detail, retryInMs: delay }, 'backend did not answer a room load; trying again')
      await new Promise((resolve) => setTimeout(resolve, delay))
      if (this.draining) break
      result = await this.deps.backendApi.loadRoom(roomId, this.deps.host)
    }
    if (!result.ok) {
      if (result.reason !== 'not_found' && result.reason !== 'moved') {
        this.deps.logger.warn({ roomId, reason: result.reason, detail: result.detail }, 'could not load room')
      }
      const close =
        result.reason === 'not_found'
          ? CloseCode.ROOM_DELETED
          : result.reason === 'moved'
            ? CloseCode.ROOM_MOVED
            : CloseCode.ROOM_UNAVAILABLE
      return { ok: false, close }
    }
    if (this.draining) return { ok: false, close: CloseCode.SERVICE_RESTART }
    const room = new Room({
      loaded: result.value,
      host: this.deps.host,
      backendApi: this.deps.backendApi,
      rateLimiter: this.deps.rateLimiter,
      limits: this.deps.limits,
      owner: this,
      logger: this.deps.logger,
      ...(this.deps.metrics ? { metrics: this.deps.metrics } : {}),
      seen: (userId, at) => this.seen.note(roomId, userId, at),
    })
    this.rooms.set(roomId, room)
    this.deps.logger.info({ roomId, epoch: room.epoch, seq: room.latestSeq }, 'room loaded')
    return { ok: true, room }
  }

  private async unload(room: Room): Promise<void> {
    await room.flushed()
    if (room.connectionCount > 0 || this.rooms.get(room.id) !== room || this.unloadTimers.has(room.id)) return
    this.forget(room)
    room.close(CloseCode.SERVICE_RESTART)
    this.deps.logger.info({ roomId: room.id }, 'room unloaded')
    await this.release(room)
  }

  private release(room: Room): Promise<void> {
    const release = this.deps.backendApi.release(room.id, this.deps.host, room.epoch).then((result) => {
      // A failed release only keeps a slot reserved until the backend re-places the room; log it.
      if (!result.ok) this.deps.logger.warn({ roomId: room.id, reason: result.reason }, 'release failed')
    })
    const tracked = release.finally(() => {
      if (this.releasing.get(room.id) === tracked) this.releasing.delete(room.id)
    })
    this.releasing.set(room.id, tracked)
    return tracked
  }

  private forget(room: Room): void {
    this.cancelUnload(room.id)
    if (this.rooms.get(room.id) === room) this.rooms.delete(room.id)
  }

  private cancelUnload(roomId: string): void {
    const timer = this.unloadTimers.get(roomId)
    if (timer) clearTimeout(timer)
    this.unloadTimers.delete(roomId)
  }
}

/** Whether `promise` settled within `ms`. */
async function withTimeout(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)))
  try {
    return await Promise.race([promise.then(() => true as const), timeout])
  } finally {
    clearTimeout(timer)
  }
}
