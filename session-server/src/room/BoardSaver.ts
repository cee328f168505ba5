/**
 * Stores a room's board: the whole board, a short while (`delayMs`) after its first unsaved
 * change, one save at a time, and at once when the room unloads or the server drains (`flush`).
 * A crash loses at most the edits of that while; chat messages are not affected (each batch is
 * committed before anyone sees it). Fenced like a group commit: a save refused because the room
 * is placed elsewhere now (or was deleted) closes the room.
 */
import type { Board } from '@scalable-chat/backend-contract'
import type { BackendApi } from '../backendApi/BackendApi.js'
import type { Logger } from '../logger.js'

/** After a failed save, the next try waits this long at most (doubling from `delayMs`). */
const MAX_RETRY_DELAY_MS = 30_000

export interface BoardSaverDeps {
  roomId: string
  host: string
  epoch: number
  backendApi: Pick<BackendApi, 'saveBoard'>
  delayMs: number
  /** The board to store, as it is now. */
  board(): Board
  /** The version the board was loaded with: nothing to save until it moves past it. */
  savedVersion: number
  /** The backend refused the save: the room is not ours any more. */
  fenced(reason: 'moved' | 'not_found'): void
  logger: Logger
}

export class BoardSaver {
  private savedVersion: number
  private latestVersion: number
  private timer: NodeJS.Timeout | undefined
  private saving: Promise<boolean> | undefined
  private failures = 0
  private stopped = false

  constructor(private readonly deps: BoardSaverDeps) {
    this.savedVersion = this.latestVersion = deps.savedVersion
  }

  get isDirty(): boolean {
    return this.latestVersion > this.savedVersion
  }

  /** The board changed to `version`: a save is due within `delayMs` (not later: a stream of edits does not postpone it). */
  changed(version: number): void {
    this.latestVersion = version
    if (!this.stopped && this.timer === undefined && this.saving === undefined) this.schedule(this.deps.delayMs)
  }

  /** Saves now what is unsaved and waits for it; resolves once saved, or after one failed try. */
  async flush(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    while (!this.stopped && (this.saving !== undefined || this.isDirty)) {
      if (!(await (this.saving ?? this.save()))) return
    }
  }

  /** No more saves (the room closed). */
  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.save()
    }, delayMs)
  }

  private save(): Promise<boolean> {
    const saving = this.store().finally(() => {
      this.saving = undefined
      if (!this.stopped && this.isDirty && this.timer === undefined) {
        // Edits that came while saving, or a retry after a failure (backing off).
        this.schedule(this.failures === 0 ? this.deps.delayMs : Math.min(this.deps.delayMs * 2 ** this.failures, MAX_RETRY_DELAY_MS))
      }
    })
    this.saving = saving
    return saving
  }

  /** One save of the board as it is now; whether it was stored. */
  private async store(): Promise<boolean> {
    const { roomId, host, epoch, logger } = this.deps
    const board = this.deps.board()
    const result = await this.deps.backendApi.saveBoard(roomId, { host, epoch, board })
    if (result.ok) {
      this.failures = 0
      this.savedVersion = Math.max(this.savedVersion, board.version)
      return true
    }
    if (result.reason === 'moved' || result.reason === 'not_found') {
      this.stop()
      this.deps.fenced(result.reason)
      return false
    }
    this.failures++
    logger.warn({ roomId, reason: result.reason, detail: result.detail, failures: this.failures }, 'could not save the board')
    return false
  }
}
