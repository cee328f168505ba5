/**
 * When this user's typing is announced, for the web composer and the terminal alike: `input` on
 * every keystroke (with the text as it is now), `stop` on send. While typing continues, "typing:
 * true" is repeated every two thirds of the server's `typingTimeoutMs` (and no more often), so
 * the indicator the others see never times out mid-word; after `TYPING_IDLE_MS` without a
 * keystroke, or when the text is emptied, "stopped" is announced once.
 */

/** Typing stops being announced after this long without a keystroke. */
export const TYPING_IDLE_MS = 3_000

export class TypingNotifier {
  private lastSentAt: number | null = null
  private idleTimer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly announce: (typing: boolean) => void,
    /** The server's, from its snapshot; read on every keystroke, so a later snapshot's value applies. */
    private readonly typingTimeoutMs: () => number,
  ) {}

  input(text: string): void {
    if (!text.trim()) return this.stop()
    const now = Date.now()
    if (this.lastSentAt === null || now - this.lastSentAt >= (this.typingTimeoutMs() * 2) / 3) {
      this.lastSentAt = now
      this.announce(true)
    }
    clearTimeout(this.idleTimer)
    this.idleTimer = setTimeout(() => this.stop(), TYPING_IDLE_MS)
  }

  stop(): void {
    clearTimeout(this.idleTimer)
    if (this.lastSentAt === null) return
    this.lastSentAt = null
    this.announce(false)
  }
}
