/**
 * How far each member has read the room (the latest seq they saw) while the room is in memory:
 * what a joining connection's snapshot says (where its "New messages" divider goes), and what
 * `read` frames move forward. It starts from the position the backend stored, carried by each
 * connection's room token, unless this room already holds a newer one (saved only every few
 * seconds, so a token may be behind).
 *
 * Stored through the backend, batched like "last seen": at most one save per `SAVE_INTERVAL_MS`,
 * with only the positions that moved; at once when a member's last connection closes (they are
 * off to the lobby, or another device, which should count from where they stopped); and by `flush`, which the room's unload and the
 * server's drain await BEFORE they release the room, so our own release never fences a save out.
 * Fenced by the placement epoch: a stale copy's save is refused and dropped (the room's current
 * server starts from storage). A save the backend could not take is retried with the next one.
 */
import { MAX_READ_ENTRIES } from '@scalable-chat/backend-contract/internal'
import type { BackendApi } from '../backendApi/BackendApi.js'
import type { Logger } from '../logger.js'

const SAVE_INTERVAL_MS = 5_000

export interface ReadPositionsDeps {
  roomId: string
  host: string
  epoch: number
  backendApi: Pick<BackendApi, 'saveReads'>
  logger: Logger
  intervalMs?: number
}

export class ReadPositions {
  /**
   * userId → seq, for every user who joined while the room is loaded (an entry is a few dozen
   * bytes; the room forgets them all when it unloads).
   */
  private readonly positions = new Map<string, number>()
  /** Users whose position moved since it was last handed to the backend. */
  private unsaved = new Set<string>()
  private timer: NodeJS.Timeout | undefined
  private saving: Promise<void> | undefined
  private stopped = false

  constructor(private readonly deps: ReadPositionsDeps) {}

  /** A connection of the user joined, its token saying `stored`: where the user's unread part starts. */
  joined(userId: string, stored: number): number {
    const position = Math.max(this.positions.get(userId) ?? 0, stored)
    this.positions.set(userId, position)
    return position
  }

  /**
   * The user saw the room up to `seq`, counted as `latestSeq` when past it (nobody can have seen a
   * message that is not stored yet). The new position, or undefined when it did not move forward.
   */
  read(userId: string, seq: number, latestSeq: number): number | undefined {
    const position = Math.min(seq, latestSeq)
    if (position <= (this.positions.get(userId) ?? 0)) return undefined
    this.positions.set(userId, position)
    this.unsaved.add(userId)
    this.schedule()
    return position
  }

  /** The user's last connection closed: their position is saved now if it moved (with any others that did). */
  left(userId: string): void {
    if (!this.unsaved.has(userId) || this.stopped || this.saving !== undefined) return
    clearTimeout(this.timer)
    this.timer = undefined
    void this.save()
  }

  /** Saves what moved, now, and resolves once the backend answered (stored or not). */
  async flush(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    await this.saving
    if (this.unsaved.size > 0 && !this.stopped) await this.save()
  }

  /** No more saves (the room closed). */
  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private schedule(): void {
    if (this.stopped || this.timer !== undefined || this.saving !== undefined) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.save()
    }, this.deps.intervalMs ?? SAVE_INTERVAL_MS).unref()
  }

  private save(): Promise<void> {
    const { roomId, host, epoch, backendApi, logger } = this.deps
    const userIds = [...this.unsaved]
    this.unsaved = new Set()
    const chunks: string[][] = []
    for (let i = 0; i < userIds.length; i += MAX_READ_ENTRIES) chunks.push(userIds.slice(i, i + MAX_READ_ENTRIES))
    const saving = Promise.all(
      chunks.map(async (chunk) => {
        const reads = chunk.map((userId) => ({ userId, seq: this.positions.get(userId)! }))
        const result = await backendApi.saveReads(roomId, { host, epoch, reads })
        if (result.ok) return
        if (result.reason === 'moved' || result.reason === 'not_found') {
          // Not ours any more: the room's next write is refused the same way and closes it.
          logger.info({ roomId, reason: result.reason }, 'read positions not saved: the room is not placed here')
          return this.stop()
        }
        logger.warn({ roomId, reason: result.reason, detail: result.detail, members: chunk.length }, 'could not save read positions; retrying')
        for (const userId of chunk) this.unsaved.add(userId)
      }),
    )
      .then(() => undefined)
      .finally(() => {
        this.saving = undefined
        if (this.unsaved.size > 0) this.schedule()
      })
    this.saving = saving
    return saving
  }
}
