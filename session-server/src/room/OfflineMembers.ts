/**
 * The room's members who are not connected, and when each was last: what the snapshot lists as
 * offline, the most recently seen first. Starts from the members the room loaded with; a member
 * who connects leaves it, one whose last connection closes comes back with the time. Bounded: past
 * `ROOM_LOAD_MEMBERS`, the longest unseen go first.
 *
 * Kept in last-seen order (the longest unseen first, the never seen before them), so the list
 * every snapshot carries is read backwards rather than sorted, and its text is put together from
 * each member's, serialised once.
 */
import { ROOM_LOAD_MEMBERS, type SeenMember } from '@scalable-chat/backend-contract/internal'
import type { OfflineMember } from '@scalable-chat/protocol'
import { CachedText, jsonArray, jsonText, type JsonText } from './JsonText.js'

export class OfflineMembers {
  /** The longest unseen first: a member going offline now is appended as the most recently seen. */
  private readonly members = new Map<string, JsonText<OfflineMember>>()
  private readonly listText = new CachedText(() => jsonArray(this.newestFirst()))

  constructor(loaded: readonly SeenMember[]) {
    // Once per load, so the order does not rest on the backend's: ISO timestamps of one format
    // sort by their characters (no locale collation), the never seen (null) first.
    const kept = [...loaded].sort((a, b) => byLastSeen(a.lastSeenAt ?? '', b.lastSeenAt ?? '')).slice(-ROOM_LOAD_MEMBERS)
    for (const member of kept) this.add(member)
  }

  /** The member connected (or left the room altogether): not offline any more. Whether they were listed. */
  remove(userId: string): boolean {
    if (!this.members.delete(userId)) return false
    this.listText.clear()
    return true
  }

  /** The member's last connection closed at `at` (now: later than every time listed). */
  wentOffline(userId: string, username: string, at: string, guest = false): void {
    this.members.delete(userId)
    this.add({ userId, username, lastSeenAt: at, ...(guest ? { guest: true } : {}) })
    if (this.members.size > ROOM_LOAD_MEMBERS) this.members.delete(this.members.keys().next().value!)
  }

  /** The list as JSON text, the most recently seen first, never seen last; kept until it changes. */
  text(): JsonText<OfflineMember[]> {
    return this.listText.get()
  }

  private add(member: OfflineMember): void {
    this.members.set(member.userId, jsonText(member))
    this.listText.clear()
  }

  private newestFirst(): JsonText<OfflineMember>[] {
    return [...this.members.values()].reverse()
  }
}

function byLastSeen(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
