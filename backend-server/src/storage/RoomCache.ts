import { LRUCache } from 'lru-cache'
import type { Room, RoomStore } from './RoomStore.js'

/** How long a room row is answered from memory; bounds how long another replica's delete goes unseen here. */
export const ROOM_CACHE_TTL_MS = 30_000
export const ROOM_CACHE_MAX_ROOMS = 10_000
/** `(room, user)` pairs known to be members; the least recently joined are forgotten (and read from storage again) first. */
export const MEMBERSHIP_CACHE_MAX_PAIRS = 100_000

export interface RoomCacheOptions {
  roomTtlMs?: number
  maxRooms?: number
  maxMemberships?: number
  /** The clock the TTL is measured on (tests inject one). */
  clock?: { now(): number }
}

/**
 * The join path's view of rooms, kept in memory so that a reconnect costs no database statement for
 * a room and user seen recently, and a join of someone opening the room one (`join`). Everything
 * here is a cache of facts that rarely change:
 * - room rows: immutable except for deletion, a change of owner (the owner left) and
 *   `lastActivityAt`, which joins do not use. A delete or a leave through this replica calls
 *   `forget`; one through another replica is seen after `roomTtlMs`, and until then its session
 *   server refuses a deleted room anyway (it loads rooms from storage, not from here), and the
 *   owner members see is the session server's (told by the leave). Unknown ids are never cached,
 *   so a room just created elsewhere is found at once.
 * - memberships, for reconnects (`rejoin=1`), which must not make anyone a member again: a pair
 *   this replica saw join or checked is answered from memory (while it stays in the bounded LRU,
 *   and at most `roomTtlMs`: a member who left through another replica is refused after that).
 *   A leave through this replica forgets the pair at once.
 */
export class RoomCache {
  private readonly rooms: LRUCache<string, Room>
  private readonly members: LRUCache<string, true>

  constructor(
    private readonly store: RoomStore,
    options: RoomCacheOptions = {},
  ) {
    const perf = options.clock ? { perf: options.clock } : {}
    this.rooms = new LRUCache({
      max: options.maxRooms ?? ROOM_CACHE_MAX_ROOMS,
      ttl: options.roomTtlMs ?? ROOM_CACHE_TTL_MS,
      // Read the clock on every check, not once a millisecond (the tests' clock jumps).
      ttlResolution: 0,
      ...perf,
    })
    this.members = new LRUCache({
      max: options.maxMemberships ?? MEMBERSHIP_CACHE_MAX_PAIRS,
      ttl: options.roomTtlMs ?? ROOM_CACHE_TTL_MS,
      ttlResolution: 0,
      ...perf,
    })
  }

  async find(roomId: string): Promise<Room | undefined> {
    const cached = this.rooms.get(roomId)
    if (cached) return cached
    const room = await this.store.find(roomId)
    if (room) this.rooms.set(roomId, room)
    return room
  }

  /**
   * A join of someone opening the room (`RoomStore.join`, one statement: the read position is
   * storage's, never cached, as session servers move it): their read position, recording them as
   * a member when they are not one; remembered as a member for `isMember`. Undefined when the room is gone.
   */
  async join(roomId: string, userId: string): Promise<number | undefined> {
    const joined = await this.store.join(roomId, userId)
    if (joined) this.members.set(membershipKey(roomId, userId), true)
    return joined?.readSeq
  }

  /** Whether the user is a member: from memory when this replica recorded it recently, else from storage. */
  async isMember(roomId: string, userId: string): Promise<boolean> {
    const key = membershipKey(roomId, userId)
    if (this.members.has(key)) return true
    const member = await this.store.isMember(roomId, userId)
    if (member) this.members.set(key, true)
    return member
  }

  /** The user left the room (and its owner may have changed): their next join records them again. */
  forgetMember(roomId: string, userId: string): void {
    this.members.delete(membershipKey(roomId, userId))
    this.rooms.delete(roomId)
  }

  /**
   * The room was deleted. Its memberships may stay: room ids are random and never reused, so they
   * can never match again and simply age out of the LRU.
   */
  forget(roomId: string): void {
    this.rooms.delete(roomId)
  }
}

function membershipKey(roomId: string, userId: string): string {
  return `${roomId}\u0000${userId}`
}
