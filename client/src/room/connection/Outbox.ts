/**
 * When each of the user's writes (messages, and edits, deletions and reactions) goes out: at once
 * while live and nothing is queued; after a reconnect, the unacknowledged ones again, in order,
 * with their original clientIds (the server answers one it stored already with the original
 * instead of storing it twice), paced by the server's announced burst so that a long backlog is
 * not refused; a new write waits its turn behind that backlog. The pending writes themselves are
 * the chat state's (`ChatState.pending`, `pendingChanges`); the outbox only decides when to send.
 *
 * Not re-exported; used by `ChatConnection` and its tests.
 */
import type { ClientMessage, LogWrite, RoomLimits } from '@scalable-chat/protocol'
import { ErrorCode } from '@scalable-chat/protocol/codes'
import { ResendPacer } from './ResendPacer.js'

export interface OutboxDeps {
  /** Sends a frame if the link is live; false when it is not (the message waits for the next snapshot). */
  transmit(frame: ClientMessage): boolean
  /** The frame of the write with this clientId while it is still waiting for its acknowledgement. */
  stillSending(clientId: string): LogWrite | undefined
}

export class Outbox {
  private pacer: ResendPacer | undefined

  constructor(private readonly deps: OutboxDeps) {}

  /** A new write, or one the user retried: out now, or behind the backlog still being re-sent. */
  send(frame: LogWrite): void {
    if (this.pacer?.busy) this.pacer.add(frame.clientId)
    else this.deps.transmit(frame)
  }

  /** Live again (a snapshot): re-sends every write still unacknowledged (by clientId, in order), paced by the server's limits. */
  resume(unacknowledged: readonly string[], limits: RoomLimits): void {
    this.pacer?.reset()
    this.pacer = new ResendPacer((clientId) => this.resend(clientId), limits.messageBurst, limits.burstWindowMs)
    this.pacer.start([...unacknowledged])
  }

  /** The server stored it (the acknowledgement) or refused it for good: it no longer holds a place. */
  settled(clientId: string): void {
    this.pacer?.settle(clientId)
  }

  /**
   * The server refused a send. True when the outbox takes care of it (a paced re-send refused as
   * rate-limited goes again by itself, after the burst window): it has not failed.
   */
  refused(clientId: string, code: string): boolean {
    if (code === ErrorCode.RATE_LIMITED && this.pacer?.rateLimited(clientId)) return true
    this.settled(clientId)
    return false
  }

  /** The link dropped: the next snapshot starts the backlog over. */
  reset(): void {
    this.pacer?.reset()
    this.pacer = undefined
  }

  private resend(clientId: string): boolean {
    const frame = this.deps.stillSending(clientId)
    if (!frame) return false
    this.deps.transmit(frame)
    return true
  }
}
