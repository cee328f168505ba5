/**
 * The room's members who are not connected, and when each was last: what the snapshot lists as
 * offline. Starts from the members the room loaded with (the most recently seen first); a member
 * who connects leaves it, one whose last connection closes comes back with the time. Bounded: past
 * `ROOM_LOAD_MEMBERS`, the longest unseen go first.
 */
import { ROOM_LOAD_MEMBERS, type SeenMember } from '@scalable-chat/backend-contract/internal'
import type { OfflineMember } from '@scalable-chat/protocol'

export class OfflineMembers {
  private readonly members = new Map<string, OfflineMember>()

  constructor(loaded: readonly SeenMember[]) {
    for (const member of loaded.slice(0, ROOM_LOAD_MEMBERS)) this.members.set(member.userId, member)
  }

  /** The member connected (or left the room altogether): not offline any more. Whether they were listed. */
  remove(userId: string): boolean {
    return this.members.delete(userId)
  }

  /** The member's last connection closed at `at`. */
  wentOffline(userId: string, username: string, at: string, guest = false): void {
    this.members.delete(userId)
    this.members.set(userId, { userId, username, lastSeenAt: at, ...(guest ? { guest: true } : {}) })
    if (this.members.size > ROOM_LOAD_MEMBERS) this.members.delete(this.longestUnseen()!)
  }

  /** The most recently seen first; never seen last. */
  list(): OfflineMember[] {
    // ISO timestamps of one format sort by their characters: no locale collation (every snapshot sorts these).
    return [...this.members.values()].sort((a, b) => byLastSeenDescending(a.lastSeenAt ?? '', b.lastSeenAt ?? ''))
  }

  private longestUnseen(): string | undefined {
    let oldest: OfflineMember | undefined
    for (const member of this.members.values()) {
      if (!oldest || (member.lastSeenAt ?? '') < (oldest.lastSeenAt ?? '')) oldest = member
    }
    return oldest?.userId
  }
}

function byLastSeenDescending(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0
}
