/**
 * One member's presence in a room: their status and whether they are typing, and what the others
 * were told of both. Changes are coalesced: the others hear of a change at once if they were last
 * told `presenceIntervalMs` ago, otherwise once that much has passed, with the state at that
 * moment, and not at all if it is back to what they were told. A storm of toggles becomes at most
 * two broadcasts per interval.
 */
import type { Member, MemberStatus, ServerMessage } from '@scalable-chat/protocol'
import { jsonText, type JsonText } from './JsonText.js'
import { Throttle } from './Throttle.js'

export interface MemberPresenceDeps {
  typingTimeoutMs: number
  presenceIntervalMs: number
  /** To every member connection, except those of the user `without`. */
  broadcast(message: ServerMessage, without?: string): void
}

export class MemberPresence {
  private current: Member
  /** `current`'s text, cleared with it. A field, not a `CachedText`: one object and closure fewer per member. */
  private currentText: JsonText<Member> | undefined
  private typing = false
  private typingTimer: NodeJS.Timeout | undefined
  /** What the others were last told of this member's typing and status. */
  private told: { typing: boolean; status: MemberStatus }
  /** Tells the others at most once per `presenceIntervalMs`. */
  private readonly announcer: Throttle

  constructor(
    member: Member,
    private readonly deps: MemberPresenceDeps,
  ) {
    this.current = member
    this.told = { typing: false, status: member.status }
    this.announcer = new Throttle(deps.presenceIntervalMs, () => this.tell())
  }

  /** The member as they are now (the snapshot's truth). */
  get member(): Member {
    return this.current
  }

  /** `member` as JSON text, serialised once per change for every snapshot that lists them. */
  get text(): JsonText<Member> {
    return (this.currentText ??= jsonText(this.current))
  }

  setStatus(status: MemberStatus): void {
    if (this.current.status === status) return
    this.current = { ...this.current, status }
    this.currentText = undefined
    this.announcer.request()
  }

  startTyping(): void {
    clearTimeout(this.typingTimer)
    // Typing indicators expire on their own: a client that crashes mid-word must not type forever.
    this.typingTimer = setTimeout(() => this.stopTyping(), this.deps.typingTimeoutMs)
    if (this.typing) return
    this.typing = true
    this.announcer.request()
  }

  /** `now`: tell the others at once (a message was sent, the member left) instead of coalescing. */
  stopTyping({ now = false } = {}): void {
    clearTimeout(this.typingTimer)
    this.typingTimer = undefined
    if (!this.typing) return
    this.typing = false
    if (now) this.announcer.now()
    else this.announcer.request()
  }

  /** The member left, or the room closed: nothing more is announced. */
  stop(): void {
    clearTimeout(this.typingTimer)
    this.typingTimer = undefined
    this.announcer.stop()
  }

  /** Broadcasts whatever of typing and status differs from what the others were last told; whether it did. */
  private tell(): boolean {
    const { userId, username, status } = this.current
    let told = false
    if (this.told.typing !== this.typing) {
      // Not to the typist's own connections: they know.
      this.deps.broadcast({ type: 'typing', userId, username, typing: this.typing }, userId)
      told = true
    }
    if (this.told.status !== status) {
      // To everyone, the member's other tabs included: the status is the member's, not the tab's.
      this.deps.broadcast({ type: 'status', userId, status })
      told = true
    }
    if (told) this.told = { typing: this.typing, status }
    return told
  }
}
