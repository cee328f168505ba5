import type { CommitResponse, NewMessage } from '@scalable-chat/backend-contract/internal'
import type { BackendResult } from '../backendApi/BackendApi.js'
import { exhaustive } from '../exhaustive.js'

/** The internal API takes at most this many messages per commit. */
export const MAX_BATCH_SIZE = 500
export const RETRY_BASE_DELAY_MS = 100
export const RETRY_MAX_DELAY_MS = 5000

export interface GroupCommitterOptions {
  /** Stores one batch. Never called again before the previous call settled. */
  commit(batch: NewMessage[]): Promise<BackendResult<CommitResponse>>
  onStored(batch: NewMessage[], response: CommitResponse): void
  /**
   * The room must stop writing: the backend refused its writes for good (409 moved/conflict, or
   * 404 deleted), or stored a batch with an answer that could not be read (`unreadable`: the seq
   * this room holds is stale, so only a reload can continue).
   */
  onFenced(reason: 'moved' | 'not_found' | 'unreadable'): void
  /** The backend refused the batch in a way retrying cannot fix; the batch is dropped. */
  onRejected(batch: NewMessage[], detail: string): void
  /** A batch failed transiently and will be sent again after `delayMs`. */
  onRetry?(attempt: number, delayMs: number, detail: string): void
  /**
   * Storing `batch` threw (a bug in `commit` or in a callback above). The batch is dropped like a
   * rejected one, so its senders hear of it; the committer carries on with the next batch.
   */
  onBug(error: unknown, batch: NewMessage[]): void
  maxBatchSize?: number
}

/**
 * Group commit for one room: at most ONE batch in flight. When idle, the first message goes out
 * right after the current turn of the event loop (so frames that arrived together share a
 * batch); while a batch is in flight, new messages gather and go as the next batch as soon as it
 * is stored. A transient failure retries the SAME batch with capped exponential backoff — the
 * backend de-duplicates by `(userId, clientId)`, so a retry never stores a message twice.
 */
export class GroupCommitter {
  private pending: NewMessage[] = []
  private inFlight: NewMessage[] | undefined
  private scheduled: NodeJS.Immediate | undefined
  private retryTimer: NodeJS.Timeout | undefined
  private wakeRetry: (() => void) | undefined
  private stopped = false
  private idleWaiters: Array<() => void> = []

  constructor(private readonly options: GroupCommitterOptions) {}

  /** Messages waiting or in flight. */
  get size(): number {
    return this.pending.length + (this.inFlight?.length ?? 0)
  }

  enqueue(message: NewMessage): void {
    if (this.stopped) return
    this.pending.push(message)
    if (this.inFlight === undefined && this.scheduled === undefined) {
      this.scheduled = setImmediate(() => {
        this.scheduled = undefined
        this.sendNext()
      })
    }
  }

  /** Resolves once nothing is pending or in flight (or the committer was stopped). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Drops whatever is pending, stops retrying and releases `whenIdle` waiters. Idempotent. */
  stop(): void {
    this.stopped = true
    this.pending = []
    if (this.scheduled) clearImmediate(this.scheduled)
    this.scheduled = undefined
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.wakeRetry?.()
    this.notifyIdle()
  }

  private isIdle(): boolean {
    return this.stopped || (this.pending.length === 0 && this.inFlight === undefined)
  }

  private sendNext(): void {
    if (this.stopped || this.inFlight !== undefined || this.pending.length === 0) {
      this.notifyIdle()
      return
    }
    const batch = this.pending.splice(0, this.options.maxBatchSize ?? MAX_BATCH_SIZE)
    this.inFlight = batch
    void this.store(batch)
      .catch((error: unknown) => this.options.onBug(error, batch))
      .finally(() => {
        this.inFlight = undefined
        this.sendNext()
      })
  }

  private async store(batch: NewMessage[]): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      const result = await this.options.commit(batch)
      if (this.stopped) return
      if (result.ok) return this.options.onStored(batch, result.value)
      switch (result.reason) {
        case 'moved':
        case 'not_found':
        case 'unreadable':
          return this.options.onFenced(result.reason)
        case 'rejected':
          return this.options.onRejected(batch, result.detail)
        case 'unavailable': {
          const delayMs = Math.min(RETRY_MAX_DELAY_MS, RETRY_BASE_DELAY_MS * 2 ** (attempt - 1))
          this.options.onRetry?.(attempt, delayMs, result.detail)
          await new Promise<void>((resolve) => {
            this.wakeRetry = resolve
            this.retryTimer = setTimeout(resolve, delayMs)
          })
          this.wakeRetry = undefined
          this.retryTimer = undefined
          break
        }
        default:
          return exhaustive(result)
      }
    }
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const resolve of waiters) resolve()
  }
}
