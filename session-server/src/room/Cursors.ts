/**
 * The board pointers of a room's members, batched: moves are remembered (the latest per member)
 * and go out together, at most once per `intervalMs`, as one frame that every member receives.
 * At 100 members moving at 30 Hz that is 20 frames a second per member instead of 3,000, and the
 * room serialises each batch once. Pointers are ephemeral: never stored, gone when their member
 * leaves or stops moving for `idleMs`.
 */
import type { Cursor, ServerMessage } from '@scalable-chat/protocol'
import { Throttle } from './Throttle.js'

export interface CursorsDeps {
  intervalMs: number
  idleMs: number
  /** Sends one batch to the room (skipped for connections backing up: the next batch supersedes it). */
  send(batch: Extract<ServerMessage, { type: 'cursors' }>): void
}

export class Cursors {
  private readonly positions = new Map<string, Cursor & { at: number }>()
  /** Members whose pointer moved, or went, since the last batch. */
  private readonly moved = new Set<string>()
  private readonly gone = new Set<string>()
  private readonly batches: Throttle
  private idleTimer: NodeJS.Timeout | undefined

  constructor(private readonly deps: CursorsDeps) {
    this.batches = new Throttle(deps.intervalMs, () => this.sendBatch())
  }

  /** Where every pointer is now (the snapshot's). */
  get current(): Cursor[] {
    return [...this.positions.values()].map(({ userId, x, y }) => ({ userId, x, y }))
  }

  move(userId: string, x: number, y: number): void {
    this.positions.set(userId, { userId, x, y, at: Date.now() })
    this.moved.add(userId)
    this.gone.delete(userId)
    this.batches.request()
    this.idleTimer ??= setInterval(() => this.expireIdle(), Math.max(this.deps.idleMs / 2, 50))
  }

  /** The member left: their pointer goes with the next batch. */
  remove(userId: string): void {
    if (!this.positions.delete(userId)) return
    this.moved.delete(userId)
    this.gone.add(userId)
    this.batches.request()
  }

  stop(): void {
    this.batches.stop()
    clearInterval(this.idleTimer)
    this.idleTimer = undefined
  }

  /** One batch of what moved and went since the last; whether there was anything. */
  private sendBatch(): boolean {
    if (this.moved.size === 0 && this.gone.size === 0) return false
    const moved: Cursor[] = []
    for (const userId of this.moved) {
      const position = this.positions.get(userId)
      if (position) moved.push({ userId, x: position.x, y: position.y })
    }
    const gone = [...this.gone]
    this.moved.clear()
    this.gone.clear()
    this.deps.send({ type: 'cursors', moved, gone })
    return true
  }

  private expireIdle(): void {
    const idleSince = Date.now() - this.deps.idleMs
    for (const [userId, position] of this.positions) if (position.at <= idleSince) this.remove(userId)
    if (this.positions.size === 0) {
      clearInterval(this.idleTimer)
      this.idleTimer = undefined
    }
  }
}
