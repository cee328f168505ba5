/**
 * Other people's typing indicators end by themselves, in case their "stopped" frame never comes:
 * a third longer than the server's own timeout, which a typist keeps ahead of by repeating
 * (`TypingNotifier`). One timer per typist.
 */
export class TypingExpiry {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>()

  constructor(
    /** The server's typing timeout (from its snapshot). */
    private readonly timeoutMs: () => number,
    private readonly expired: (userId: string, username: string) => void,
  ) {}

  /** A typing frame of someone else's: (re)starts their timer while typing, stops it otherwise. */
  typing(userId: string, username: string, typing: boolean): void {
    this.clear(userId)
    if (!typing) return
    this.timers.set(
      userId,
      setTimeout(() => {
        this.timers.delete(userId)
        this.expired(userId, username)
      }, (this.timeoutMs() * 4) / 3),
    )
  }

  /** They stopped typing (they sent a message, or left). */
  clear(userId: string): void {
    clearTimeout(this.timers.get(userId))
    this.timers.delete(userId)
  }

  clearAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
  }
}
