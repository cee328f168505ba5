import { MAX_COMMIT_MESSAGES, type CommitResponse, type NewEntry } from '@scalable-chat/backend-contract/internal'
import type { BackendResult } from '../backendApi/BackendApi.js'
import { exhaustive } from '../exhaustive.js'
import type { Logger } from '../logger.js'

export const RETRY_BASE_DELAY_MS = 100
export const RETRY_MAX_DELAY_MS = 5000

/** How a batch ended. */
export type CommitOutcome =
  | { kind: 'stored'; response: CommitResponse }
  /**
   * The room must stop writing: the backend refused its writes for good (409 moved/conflict, or
   * 404 deleted), or stored the batch with an answer that could not be read (`unreadable`: the
   * seq the room holds is stale, so only a reload can continue).
   */
  | { kind: 'fenced'; reason: 'moved' | 'not_found' | 'unreadable' }
  /** Not stored and never will be: the backend refused it (a bug or misconfiguration), or storing it threw. */
  | { kind: 'dropped'; detail: string; error?: unknown }

/** What the committer stores batches through and reports them to (the room's log). */
export interface CommitTarget {
  /** Stores one batch. Never called again before the previous call settled. */
  commit(batch: NewEntry[]): Promise<BackendResult<CommitResponse>>
  /** How a batch ended; after `dropped` the committer carries on with the next batch. */
  settled(batch: NewEntry[], outcome: CommitOutcome): void
}

export interface GroupCommitterOptions {
  /** Retries are logged at warn, a bug in the target at error. */
  logger: Logger
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
  private pending: NewEntry[] = []
  private inFlight: NewEntry[] | undefined
  private scheduled: NodeJS.Immediate | undefined
  private retryTimer: NodeJS.Timeout | undefined
  private wakeRetry: (() => void) | undefined
  private stopped = false
  private idleWaiters: Array<() => void> = []

  private readonly maxBatchSize: number

  constructor(
    private readonly target: CommitTarget,
    private readonly options: GroupCommitterOptions,
  ) {
    this.maxBatchSize = options.maxBatchSize ?? MAX_COMMIT_MESSAGES
  }

  /** Messages waiting or in flight. */
  get size(): number {
    return this.pending.length + (this.inFlight?.length ?? 0)
  }

  enqueue(message: NewEntry): void {
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
    const batch = this.pending.splice(0, this.maxBatchSize)
    this.inFlight = batch
    void this.store(batch)
      .catch((error: unknown): CommitOutcome => ({ kind: 'dropped', detail: 'storing the batch threw', error }))
      .then((outcome) => {
        if (outcome !== undefined) this.settle(batch, outcome)
      })
      .finally(() => {
        this.inFlight = undefined
        this.sendNext()
      })
  }

  /** The batch's outcome, or `undefined` when the committer was stopped meanwhile (nobody waits for it). */
  private async store(batch: NewEntry[]): Promise<CommitOutcome | undefined> {
    for (let attempt = 1; !this.stopped; attempt++) {
      const result = await this.target.commit(batch)
      if (this.stopped) return undefined
      if (result.ok) return { kind: 'stored', response: result.value }
      switch (result.reason) {
        case 'moved':
        case 'not_found':
        case 'unreadable':
          return { kind: 'fenced', reason: result.reason }
        case 'rejected':
          return { kind: 'dropped', detail: result.detail }
        case 'unavailable': {
          const delayMs = Math.min(RETRY_MAX_DELAY_MS, RETRY_BASE_DELAY_MS * 2 ** (attempt - 1))
          this.options.logger.warn({ attempt, delayMs, detail: result.detail }, 'commit failed; retrying')
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
    return undefined
  }

  /**
   * Reports the outcome. A target that throws has a bug: it is logged, and the committer goes on
   * with the next batch rather than stall the room (or, from a promise chain, crash the process).
   */
  private settle(batch: NewEntry[], outcome: CommitOutcome): void {
    try {
      this.target.settled(batch, outcome)
    } catch (error) {
      this.options.logger.error({ err: error, outcome: outcome.kind, count: batch.length }, 'settling a batch failed')
    }
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const resolve of waiters) resolve()
  }
}
