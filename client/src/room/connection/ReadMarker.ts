/**
 * When this tab tells the room how far the user has read (`read` frames), for the web and terminal
 * clients alike: forward only, and at most once per `READ_INTERVAL_MS`. The newest position of a
 * burst goes out when the interval ends, so reading along in a busy room costs a frame a second,
 * not one a message. A position that could not go out (the link was down) goes out once the
 * server says, in its next snapshot, what it knows (`known`).
 */

export const READ_INTERVAL_MS = 1_000

export class ReadMarker {
  /** The newest position the server knows (sent from here, or told by it). */
  private sent = 0
  /** The newest position this tab has shown. */
  private wanted = 0
  private lastSentAt = Number.NEGATIVE_INFINITY
  private timer: ReturnType<typeof setTimeout> | undefined

  /** `transmit` sends `{ type: 'read', seq }` and says whether it went out. */
  constructor(private readonly transmit: (seq: number) => boolean) {}

  /** The user has seen up to `seq`. */
  mark(seq: number): void {
    if (seq <= this.wanted) return
    this.wanted = seq
    this.schedule()
  }

  /** The server knows the user read up to `seq` (a snapshot, another tab's read): anything newer still goes out. */
  known(seq: number): void {
    this.sent = Math.max(this.sent, seq)
    this.schedule()
  }

  /** Sends what is waiting for the interval now (the room is being left: later is never). */
  flush(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    if (this.wanted > this.sent && this.transmit(this.wanted)) {
      this.sent = this.wanted
      this.lastSentAt = Date.now()
    }
  }

  dispose(): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private schedule(): void {
    if (this.wanted <= this.sent || this.timer !== undefined) return
    const wait = this.lastSentAt + READ_INTERVAL_MS - Date.now()
    if (wait <= 0) return this.flush()
    this.timer = setTimeout(() => this.flush(), wait)
  }
}
