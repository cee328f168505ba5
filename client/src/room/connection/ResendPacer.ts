/**
 * Paces the re-sending of a backlog of unacknowledged messages after a reconnect: at most
 * `window` unacknowledged at a time (the server's announced burst: more would only be refused by
 * its rate limit, which allows a burst, not a backlog), in their original order; a re-send
 * refused as rate-limited pauses the backlog and goes again, in its place, after `pauseMs` (the
 * server's burst window). Without pacing, a client that queued more than the burst while offline
 * would see the rest refused.
 *
 * Not re-exported; used by `Outbox` and its tests.
 */
export class ResendPacer {
  private queue: string[] = []
  private readonly inFlight = new Set<string>()
  private refused: string[] = []
  private order = new Map<string, number>()
  private nextOrder = 0
  private pauseTimer: ReturnType<typeof setTimeout> | undefined

  /** `send` sends one message again; false when it is no longer pending (nothing was sent). */
  constructor(
    private readonly send: (clientId: string) => boolean,
    private readonly window: number,
    private readonly pauseMs: number,
  ) {}

  /** Whether a backlog is being sent: a new message must then wait its turn behind it. */
  get busy(): boolean {
    return this.queue.length > 0 || this.inFlight.size > 0 || this.refused.length > 0
  }

  /** Starts over with this backlog, in order (after a snapshot). */
  start(clientIds: readonly string[]): void {
    this.reset()
    for (const clientId of clientIds) this.add(clientId)
  }

  /** Queues one more message behind the backlog. */
  add(clientId: string): void {
    this.order.set(clientId, this.nextOrder++)
    this.queue.push(clientId)
    this.pump()
  }

  /** The message was acknowledged or refused for good: it no longer holds a place in the window. */
  settle(clientId: string): void {
    this.order.delete(clientId)
    if (this.inFlight.delete(clientId)) this.pump()
  }

  /** The server refused a re-send as rate-limited; false when this pacer did not send it. */
  rateLimited(clientId: string): boolean {
    if (!this.inFlight.delete(clientId)) return false
    this.refused.push(clientId)
    this.pauseTimer ??= setTimeout(() => this.resume(), this.pauseMs)
    return true
  }

  /** Forgets everything (the socket dropped, or the connection was disposed). */
  reset(): void {
    clearTimeout(this.pauseTimer)
    this.pauseTimer = undefined
    this.queue = []
    this.inFlight.clear()
    this.refused = []
    this.order.clear()
  }

  private resume(): void {
    this.pauseTimer = undefined
    const position = (clientId: string) => this.order.get(clientId) ?? 0
    this.queue = [...this.refused.sort((a, b) => position(a) - position(b)), ...this.queue]
    this.refused = []
    this.pump()
  }

  private pump(): void {
    while (this.pauseTimer === undefined && this.inFlight.size < this.window && this.queue.length > 0) {
      const clientId = this.queue.shift()!
      if (this.send(clientId)) this.inFlight.add(clientId)
      else this.order.delete(clientId)
    }
  }
}
