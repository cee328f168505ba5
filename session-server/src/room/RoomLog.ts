/**
 * One room's log of messages, and its single writer: a send is de-duplicated by
 * `(userId, clientId)`, taken from the sender's rate allowance, and queued for the group commit,
 * all here; stored messages reach the room in seq order through `RoomLogListener`.
 *
 * Transport-free like `Room`: it talks to the backend through `BackendApi` and to the room through
 * the listener, so tests drive it with a scripted backend.
 */
import { randomUUID } from 'node:crypto'
import type { ChatMessage } from '@scalable-chat/backend-contract'
import {
  clientKey,
  ROOM_LOAD_MESSAGES,
  type CommitResponse,
  type LoadRoomResponse,
  type NewMessage,
} from '@scalable-chat/backend-contract/internal'
import { ErrorCode } from '@scalable-chat/protocol'
import type { BackendApi, BackendResult } from '../backendApi/BackendApi.js'
import type { SendRateLimiter } from '../connection/SendRateLimiter.js'
import { exhaustive } from '../exhaustive.js'
import type { Logger } from '../logger.js'
import { GroupCommitter, type CommitOutcome, type CommitTarget } from './GroupCommitter.js'
import { MessageHistory } from './MessageHistory.js'
import type { Refusal } from './Refusal.js'
import { sanitizeText } from './sanitizeText.js'

/** Messages a room accepts while earlier ones are not stored yet; beyond it sends get `unavailable`. */
export const MAX_PENDING_MESSAGES = 1000

/** Who sends: a member's identity (any of their connections). */
export interface Sender {
  readonly userId: string
  readonly username: string
}

/** What happened to a send that was not refused. */
export type SendOutcome =
  /** New: queued for storage; its acknowledgement is the `message` broadcast once it is stored. */
  | { ok: true; state: 'queued' }
  /** A re-send of one still being stored: its acknowledgement is on the way. */
  | { ok: true; state: 'pending' }
  /** A re-send of one stored already: answer the stored message to the connection that re-sent it. */
  | { ok: true; state: 'stored'; message: ChatMessage }
  | Refusal

/** The room's side of the log: what it broadcasts, whom it tells, when it closes. */
export interface RoomLogListener {
  /**
   * A batch was stored: `added` are new, in seq order (everyone sees them; to their senders they
   * are the acknowledgement); `repeated` are re-sends of messages stored before, for their senders.
   */
  stored(added: readonly ChatMessage[], repeated: readonly ChatMessage[]): void
  /** These will not be stored; their senders hear so, and may send them again. */
  dropped(messages: readonly NewMessage[]): void
  /** Storage refused this server for good: the room was deleted (`not_found`) or moved, and must close. */
  fenced(reason: 'moved' | 'not_found' | 'unreadable'): void
}

/** What a log reports for `/metrics` (a subset of `SessionMetrics`; optional so tests may omit it). */
export interface RoomLogMetrics {
  messagesReceived: { inc(): void }
  commitBatchSize: { observe(value: number): void }
  commitDuration: { startTimer(): () => unknown }
}

export interface RoomLogDeps {
  loaded: LoadRoomResponse
  /** This server's public host: the fencing identity of every write. */
  host: string
  backendApi: BackendApi
  /** Per user, over every room of this server. */
  rateLimiter: SendRateLimiter
  maxMessageLength: number
  listener: RoomLogListener
  logger: Logger
  metrics?: RoomLogMetrics | undefined
}

export class RoomLog implements CommitTarget {
  readonly roomId: string
  readonly epoch: number
  private seq: number
  private readonly history: MessageHistory
  /** `(userId, clientId)` of every message pending or in flight: a re-send of one is not queued again. */
  private readonly unstored = new Set<string>()
  /** Sends between their arrival and their queueing (the rate allowance is asynchronous): a flush waits for them too. */
  private readonly arriving = new Set<Promise<SendOutcome>>()
  private readonly committer: GroupCommitter

  constructor(private readonly deps: RoomLogDeps) {
    this.roomId = deps.loaded.room.id
    this.epoch = deps.loaded.epoch
    this.seq = deps.loaded.seq
    this.history = new MessageHistory(deps.loaded.messages)
    this.committer = new GroupCommitter(this, { logger: deps.logger })
  }

  /** The latest stored seq (0 for an empty room). */
  get latestSeq(): number {
    return this.seq
  }

  /** Messages accepted but not yet stored. */
  get pendingCount(): number {
    return this.committer.size
  }

  /**
   * What a joining connection's snapshot carries: exactly the messages after `since` when memory
   * still holds them all (`resumed`), else the latest page, which replaces the client's view.
   */
  snapshotMessages(since: number | undefined): { messages: ChatMessage[]; resumed: boolean } {
    const missed = since === undefined ? undefined : this.history.after(since, this.seq)
    if (missed) return { messages: missed, resumed: true }
    return { messages: this.history.latest(ROOM_LOAD_MESSAGES), resumed: false }
  }

  /**
   * The one place a send is taken in: cleaned and checked, answered from memory when it is a
   * re-send (free: a reconnecting client re-sends its whole unacknowledged backlog), otherwise
   * charged to the sender's allowance and queued.
   */
  submit(sender: Sender, clientId: string, rawText: string): Promise<SendOutcome> {
    const arriving = this.takeIn(sender, clientId, rawText)
    this.arriving.add(arriving)
    const done = () => void this.arriving.delete(arriving)
    arriving.then(done, done)
    return arriving
  }

  /** Resolves once every send that arrived is stored, or refused (or the log stopped). */
  async flushed(): Promise<void> {
    while (this.arriving.size > 0) await Promise.allSettled([...this.arriving])
    await this.committer.whenIdle()
  }

  /** Stops writing; pending messages are not acknowledged (their senders re-send them after reconnecting). */
  stop(): void {
    this.committer.stop()
  }

  // CommitTarget --------------------------------------------------------------------------------

  async commit(batch: NewMessage[]): Promise<BackendResult<CommitResponse>> {
    this.deps.metrics?.commitBatchSize.observe(batch.length)
    const end = this.deps.metrics?.commitDuration.startTimer()
    try {
      return await this.deps.backendApi.commit(this.roomId, { host: this.deps.host, epoch: this.epoch, afterSeq: this.seq, messages: batch })
    } finally {
      end?.()
    }
  }

  settled(batch: NewMessage[], outcome: CommitOutcome): void {
    switch (outcome.kind) {
      case 'stored':
        return this.stored(batch, outcome.response)
      case 'fenced':
        this.deps.logger.warn({ roomId: this.roomId, reason: outcome.reason }, 'the room can no longer write; closing it')
        return this.deps.listener.fenced(outcome.reason)
      case 'dropped':
        this.deps.logger.error({ err: outcome.error, roomId: this.roomId, detail: outcome.detail, count: batch.length }, 'batch not stored; dropped')
        this.forget(batch)
        return this.deps.listener.dropped(batch)
      default:
        return exhaustive(outcome)
    }
  }

  // ---------------------------------------------------------------------------------------------

  private async takeIn(sender: Sender, clientId: string, rawText: string): Promise<SendOutcome> {
    const text = sanitizeText(rawText)
    if (text.length === 0) return { ok: false, code: ErrorCode.EMPTY_MESSAGE, message: 'the message is empty' }
    const max = this.deps.maxMessageLength
    if (text.length > max) {
      return { ok: false, code: ErrorCode.MESSAGE_TOO_LONG, message: `the message is longer than ${max} characters` }
    }
    const earlier = this.earlier(sender.userId, clientId)
    if (earlier) return earlier
    if (!(await this.deps.rateLimiter.tryConsume(sender.userId))) {
      return { ok: false, code: ErrorCode.RATE_LIMITED, message: 'too many messages; slow down' }
    }
    // The allowance is asynchronous: another connection of this user may have sent the same
    // clientId meanwhile, or the room may have closed.
    return this.earlier(sender.userId, clientId) ?? this.enqueue(sender, clientId, text)
  }

  /** A send of this clientId by this user that is pending, in flight, or stored in memory. */
  private earlier(userId: string, clientId: string): SendOutcome | undefined {
    if (this.unstored.has(clientKey(userId, clientId))) return { ok: true, state: 'pending' }
    const stored = this.history.findByClientId(userId, clientId)
    return stored && { ok: true, state: 'stored', message: stored }
  }

  private enqueue(sender: Sender, clientId: string, text: string): SendOutcome {
    if (this.committer.size >= MAX_PENDING_MESSAGES) {
      return { ok: false, code: ErrorCode.UNAVAILABLE, message: 'the room is busy; try again shortly' }
    }
    this.deps.metrics?.messagesReceived.inc()
    this.unstored.add(clientKey(sender.userId, clientId))
    this.committer.enqueue({
      id: randomUUID(),
      clientId,
      userId: sender.userId,
      username: sender.username,
      text,
      createdAt: new Date().toISOString(),
    } satisfies NewMessage)
    return { ok: true, state: 'queued' }
  }

  private stored(batch: NewMessage[], response: CommitResponse): void {
    this.forget(batch)
    const added: ChatMessage[] = []
    const repeated: ChatMessage[] = []
    for (const message of [...response.messages].sort((a, b) => a.seq - b.seq)) {
      if (message.seq > this.seq) {
        this.seq = message.seq
        this.history.append(message)
        added.push(message)
      } else {
        // An older duplicate (a re-send of a message stored before): only its sender needs it.
        repeated.push(message)
      }
    }
    this.seq = Math.max(this.seq, response.seq)
    this.deps.listener.stored(added, repeated)
  }

  /** The batch is no longer pending: a re-send of one of its messages is looked up, or taken, afresh. */
  private forget(batch: readonly NewMessage[]): void {
    for (const message of batch) this.unstored.delete(clientKey(message.userId, message.clientId))
  }
}
