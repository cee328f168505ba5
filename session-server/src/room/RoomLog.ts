/**
 * One room's log, and its single writer: messages and their changes (edits, deletions,
 * reactions). A write is checked, de-duplicated by `(userId, clientId)`, taken from the sender's
 * rate allowance, and queued for the group commit, all here; stored entries reach the room in
 * seq order through `RoomLogListener`.
 *
 * Transport-free like `Room`: it talks to the backend through `BackendApi` and to the room through
 * the listener, so tests drive it with a scripted backend.
 */
import { randomUUID } from 'node:crypto'
import type { ChatMessage, ChangeRefusalCode, MessageChange } from '@scalable-chat/backend-contract'
import {
  clientKey,
  type CommitResponse,
  type LoadRoomResponse,
  type NewEntry,
} from '@scalable-chat/backend-contract/internal'
import { ErrorCode, type LogWrite } from '@scalable-chat/protocol'
import type { BackendApi, BackendResult } from '../backendApi/BackendApi.js'
import type { SendRateLimiter } from '../connection/SendRateLimiter.js'
import { exhaustive } from '../exhaustive.js'
import type { Logger } from '../logger.js'
import { GroupCommitter, type CommitOutcome, type CommitTarget } from './GroupCommitter.js'
import { jsonText, type JsonText } from './JsonText.js'
import { MessageHistory, seqOf, type StoredEntry } from './MessageHistory.js'
import type { Refusal } from './Refusal.js'
import { sanitizeText } from './sanitizeText.js'

const NO_CHANGES = jsonText<MessageChange[]>([])

/** Entries a room accepts while earlier ones are not stored yet; beyond it writes get `unavailable`. */
export const MAX_PENDING_MESSAGES = 1000

/** Who sends: a member's identity (any of their connections). */
export interface Sender {
  readonly userId: string
  readonly username: string
}

/** What happened to a write (a send, edit, deletion or reaction) that was not refused. */
export type SendOutcome =
  /** New: queued for storage; its acknowledgement is the `message` or `change` broadcast once it is stored. */
  | { ok: true; state: 'queued' }
  /** A re-send of one still being stored: its acknowledgement is on the way. */
  | { ok: true; state: 'pending' }
  /** A re-send of one stored already: answer the stored entry to the connection that re-sent it. */
  | { ok: true; state: 'stored'; entry: StoredEntry }
  | Refusal

/** The room's side of the log: what it broadcasts, whom it tells, when it closes. */
export interface RoomLogListener {
  /**
   * A batch was stored: `added` are new, in seq order (everyone sees them; to their writers they
   * are the acknowledgement); `repeated` are re-sends of entries stored before, for their writers;
   * `refused` are changes storage turned down (nothing stored), for their writers.
   */
  stored(added: readonly StoredEntry[], repeated: readonly StoredEntry[], refused: readonly Refused[]): void
  /** These will not be stored; their writers hear so, and may send them again. */
  dropped(entries: readonly NewEntry[]): void
  /** Storage refused this server for good: the room was deleted (`not_found`) or moved, and must close. */
  fenced(reason: 'moved' | 'not_found' | 'unreadable'): void
}

/** A change storage refused, and why. */
export interface Refused {
  entry: NewEntry
  code: ChangeRefusalCode
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

/** An entry as the log checked it, before it is stamped with an id, its writer and a time. */
type EntryInput = DistributiveOmit<NewEntry, 'id' | 'userId' | 'username' | 'createdAt'>
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

const REFUSAL_TEXT: Record<ChangeRefusalCode, string> = {
  message_not_found: 'there is no such message in this room',
  not_author: 'only its author may edit or delete a message',
  message_deleted: 'the message was deleted',
  too_many_reactions: 'the message has as many different reactions as it may',
}

/** A change refused with `code`, in the words every refusal of it uses (here and from storage). */
export function refusalOf(code: ChangeRefusalCode): Refusal {
  return { ok: false, code, message: REFUSAL_TEXT[code] }
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
    this.history = new MessageHistory(deps.loaded)
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
   * What a joining connection's snapshot carries: exactly the entries after `since` when memory
   * still holds them all (`resumed`), else the latest page, which replaces the client's view.
   */
  snapshotMessages(since: number | undefined): { messages: JsonText<ChatMessage[]>; changes: JsonText<MessageChange[]>; resumed: boolean } {
    const missed = since === undefined ? undefined : this.history.after(since, this.seq)
    if (missed) return { messages: jsonText(missed.messages), changes: jsonText(missed.changes), resumed: true }
    return { messages: this.history.latestPageText(), changes: NO_CHANGES, resumed: false }
  }

  /**
   * The one place a write is taken in: cleaned and checked, answered from memory when it is a
   * re-send (free: a reconnecting client re-sends its whole unacknowledged backlog), otherwise
   * charged to the sender's allowance and queued.
   */
  submit(sender: Sender, write: LogWrite): Promise<SendOutcome> {
    const arriving = this.takeIn(sender, write)
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

  async commit(batch: NewEntry[]): Promise<BackendResult<CommitResponse>> {
    this.deps.metrics?.commitBatchSize.observe(batch.length)
    const end = this.deps.metrics?.commitDuration.startTimer()
    try {
      return await this.deps.backendApi.commit(this.roomId, { host: this.deps.host, epoch: this.epoch, afterSeq: this.seq, entries: batch })
    } finally {
      end?.()
    }
  }

  settled(batch: NewEntry[], outcome: CommitOutcome): void {
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

  private async takeIn(sender: Sender, write: LogWrite): Promise<SendOutcome> {
    const checked = this.check(sender, write)
    if (!checked.ok) return checked
    const earlier = this.earlier(sender.userId, write.clientId)
    if (earlier) return earlier
    if (!(await this.deps.rateLimiter.tryConsume(sender.userId))) {
      return { ok: false, code: ErrorCode.RATE_LIMITED, message: 'too many messages; slow down' }
    }
    // The allowance is asynchronous: another connection of this user may have sent the same
    // clientId meanwhile, or the room may have closed.
    return this.earlier(sender.userId, write.clientId) ?? this.enqueue(sender, checked.entry)
  }

  /**
   * A write as the entry to store, or why it is refused. A change is checked against the message
   * in memory when memory holds its seq (storage checks again, for older ones and for the changes
   * still on their way to it).
   */
  private check(sender: Sender, write: LogWrite): { ok: true; entry: EntryInput } | Refusal {
    const { clientId } = write
    if (write.type === 'send' || write.type === 'edit') {
      const text = sanitizeText(write.text)
      if (text.length === 0) return { ok: false, code: ErrorCode.EMPTY_MESSAGE, message: 'the message is empty' }
      const max = this.deps.maxMessageLength
      if (text.length > max) {
        return { ok: false, code: ErrorCode.MESSAGE_TOO_LONG, message: `the message is longer than ${max} characters` }
      }
      if (write.type === 'send') return { ok: true, entry: { kind: 'message', clientId, text } }
      const refusal = this.checkTarget(sender, write.target, true)
      return refusal ?? { ok: true, entry: { kind: 'edit', clientId, target: write.target, text } }
    }
    const refusal = this.checkTarget(sender, write.target, write.type === 'delete')
    if (refusal) return refusal
    return write.type === 'delete'
      ? { ok: true, entry: { kind: 'delete', clientId, target: write.target } }
      : { ok: true, entry: { kind: 'react', clientId, target: write.target, emoji: write.emoji, on: write.on } }
  }

  private checkTarget(sender: Sender, target: number, authorOnly: boolean): Refusal | undefined {
    const message = this.history.message(target)
    if (!message && (target > this.seq || this.history.holds(target))) return refusalOf(ErrorCode.MESSAGE_NOT_FOUND)
    if (message?.deleted) return refusalOf(ErrorCode.MESSAGE_DELETED)
    if (message && authorOnly && message.userId !== sender.userId) return refusalOf(ErrorCode.NOT_AUTHOR)
    return undefined
  }

  /** A write of this clientId by this user that is pending, in flight, or stored in memory. */
  private earlier(userId: string, clientId: string): SendOutcome | undefined {
    if (this.unstored.has(clientKey(userId, clientId))) return { ok: true, state: 'pending' }
    const stored = this.history.findByClientId(userId, clientId)
    return stored && { ok: true, state: 'stored', entry: stored }
  }

  private enqueue(sender: Sender, entry: EntryInput): SendOutcome {
    if (this.committer.size >= MAX_PENDING_MESSAGES) {
      return { ok: false, code: ErrorCode.UNAVAILABLE, message: 'the room is busy; try again shortly' }
    }
    this.deps.metrics?.messagesReceived.inc()
    this.unstored.add(clientKey(sender.userId, entry.clientId))
    this.committer.enqueue({
      ...entry,
      id: randomUUID(),
      userId: sender.userId,
      username: sender.username,
      createdAt: new Date().toISOString(),
    } as NewEntry)
    return { ok: true, state: 'queued' }
  }

  private stored(batch: NewEntry[], response: CommitResponse): void {
    this.forget(batch)
    const added: StoredEntry[] = []
    const repeated: StoredEntry[] = []
    const refused: Refused[] = []
    // One result per entry, in request order: new entries have seqs ascending in that order.
    response.results.forEach((result, i) => {
      if ('refused' in result) {
        const entry = batch[i]
        if (entry) refused.push({ entry, code: result.refused })
        return
      }
      const stored: StoredEntry = 'message' in result ? { type: 'message', message: result.message } : { type: 'change', change: result.change }
      if (seqOf(stored) > this.seq) {
        this.seq = seqOf(stored)
        this.history.append(stored)
        added.push(stored)
      } else {
        // An older duplicate (a re-send of an entry stored before): only its writer needs it.
        repeated.push(stored)
      }
    })
    this.seq = Math.max(this.seq, response.seq)
    this.deps.listener.stored(added, repeated, refused)
  }

  /** The batch is no longer pending: a re-send of one of its messages is looked up, or taken, afresh. */
  private forget(batch: readonly NewEntry[]): void {
    for (const message of batch) this.unstored.delete(clientKey(message.userId, message.clientId))
  }
}
