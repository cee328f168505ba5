/**
 * The terminal user's own presence, as the web app's `usePresence` keeps it: the status they chose
 * (`/status`), turned into "away" after `awayAfterMs` without a keystroke or a line, and back on the
 * next one. "Do not disturb" and a chosen "away" stay as chosen.
 */
import type { MemberStatus } from '@scalable-chat/protocol'
import { effectiveStatus } from '../src/room/effectiveStatus.js'

export class IdlePresence {
  private chosen: MemberStatus = 'online'
  private idle = false
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly announce: (status: MemberStatus) => void,
    private readonly awayAfterMs: number,
  ) {
    this.arm()
  }

  choose(status: MemberStatus): void {
    this.chosen = status
    this.update()
  }

  /** A keystroke or a line: the user is here. */
  active(): void {
    this.arm()
    if (!this.idle) return
    this.idle = false
    this.update()
  }

  stop(): void {
    clearTimeout(this.timer)
  }

  private arm(): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.idle = true
      this.update()
    }, this.awayAfterMs)
  }

  private update(): void {
    this.announce(effectiveStatus(this.chosen, this.idle))
  }
}
