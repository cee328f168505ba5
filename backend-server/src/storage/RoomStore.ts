import type { MyRoom, RoomSummary, RoomVisibility } from '@scalable-chat/backend-contract'
import type { SeenMember } from '@scalable-chat/backend-contract/internal'
import type { Queryable } from './Database.js'
import { mentionPattern, ROOM_ACTIVITY_COLUMNS, roomActivityJoins, toRoomActivity, type RoomActivityRow } from './roomActivity.js'
import { toIso, toNumber } from './rowValues.js'

export interface Room {
  id: string
  name: string
  ownerId: string
  createdAt: string
  lastActivityAt: string
  visibility: RoomVisibility
  description: string
}

interface RoomRow {
  id: string
  name: string
  owner_id: string
  owner_username: string
  created_at: unknown
  last_activity_at: unknown
  visibility: RoomVisibility
  description: string
}

/** A public room as the directory lists it, before its session server says who is online. */
export interface DirectoryRoom {
  room: Room
  owner: { id: string; username: string }
  memberCount: number
}

const ROOM_COLUMNS = 'id, name, owner_id, created_at, last_activity_at, visibility, description'

/**
 * What leaving a room did: `left` (with the owner now: another member when the owner left), or
 * why nothing changed.
 */
export type LeaveOutcome =
  | { outcome: 'left'; ownerId: string; handedOver: boolean }
  | { outcome: 'not_member' }
  | { outcome: 'last_member' }
  /** The owner would leave only guests behind, and a guest never owns a room (migration 011). */
  | { outcome: 'only_guests' }
  | { outcome: 'not_found' }

/** "My rooms" is a sidebar, not an archive: the most recently active this many. */
const MAX_LISTED_ROOMS = 200

export type RecordReadsOutcome = { ok: true } | { ok: false; reason: 'not_found' | 'room_moved' }

export class RoomStore {
  constructor(private readonly db: Queryable) {}

  /** Creates the room with its owner as the first member; one statement, so atomic. */
  async create(room: { id: string; name: string; ownerId: string; visibility?: RoomVisibility; description?: string }): Promise<Room> {
    const rows = await this.db.query<RoomRow>(
      `WITH room AS (
         INSERT INTO rooms (id, name, owner_id, visibility, description) VALUES ($1, $2, $3, $4, $5)
         RETURNING ${ROOM_COLUMNS}
       ), owner AS (
         INSERT INTO room_members (room_id, user_id) SELECT id, owner_id FROM room
       )
       SELECT * FROM room`,
      [room.id, room.name, room.ownerId, room.visibility ?? 'unlisted', room.description ?? ''],
    )
    return toRoom(rows[0]!)
  }

  async find(roomId: string): Promise<Room | undefined> {
    const rows = await this.db.query<RoomRow>(`SELECT ${ROOM_COLUMNS} FROM rooms WHERE id = $1`, [roomId])
    return rows[0] && toRoom(rows[0])
  }

  /** Changes who finds the room and its description; the room as it is now, or undefined when it is gone. */
  async update(roomId: string, changes: { visibility?: RoomVisibility | undefined; description?: string | undefined }): Promise<Room | undefined> {
    const rows = await this.db.query<RoomRow>(
      `UPDATE rooms SET visibility = coalesce($2, visibility), description = coalesce($3, description)
       WHERE id = $1 RETURNING ${ROOM_COLUMNS}`,
      [roomId, changes.visibility ?? null, changes.description ?? null],
    )
    return rows[0] && toRoom(rows[0])
  }

  /**
   * One page of the public directory, most recently active first: rooms whose name or description
   * contains `query` (any case), after the room `after` (the last of the previous page), with their
   * owner and member count. One more row than asked tells whether another page follows. Times
   * are compared to the millisecond, as the cursor carries them (storage keeps microseconds).
   */
  async directory({ query, after, limit }: { query: string; after?: { lastActivityAt: string; id: string } | undefined; limit: number }) {
    // Escaped here, lower-cased by the database: JavaScript and Postgres disagree on some letters (Σ, İ).
    const pattern = `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    const rows = await this.db.query<RoomRow & { member_count: unknown }>(
      `SELECT r.id, r.name, r.owner_id, r.created_at, r.last_activity_at, r.visibility, r.description,
              u.username AS owner_username,
              (SELECT count(*) FROM room_members m WHERE m.room_id = r.id) AS member_count
       FROM rooms r JOIN users u ON u.id = r.owner_id
       WHERE r.visibility = 'public'
         AND ($1 = '%%' OR lower(r.name) LIKE lower($1) OR lower(r.description) LIKE lower($1))
         AND ($2::timestamptz IS NULL OR (date_trunc('milliseconds', r.last_activity_at), r.id) < ($2::timestamptz, $3::text))
       ORDER BY date_trunc('milliseconds', r.last_activity_at) DESC, r.id DESC
       LIMIT $4`,
      [pattern, after?.lastActivityAt ?? null, after?.id ?? null, limit + 1],
    )
    const page: DirectoryRoom[] = rows.slice(0, limit).map((row) => ({
      room: toRoom(row),
      owner: { id: row.owner_id, username: row.owner_username },
      memberCount: Number(row.member_count),
    }))
    return { rooms: page, hasMore: rows.length > limit }
  }

  /**
   * A join's one statement (the `join_room` function, migration 012): the user's read position in
   * the room, recording them as a member first when they are not one (`added`). Idempotent: joining
   * twice keeps the first `joined_at`. A new member starts having read the room as it is (its
   * history is not news to them, nor an unread count of a hundred). Undefined when the room is gone
   * (a cached room row may be seconds old): nothing is recorded rather than failing on the foreign key.
   */
  async join(roomId: string, userId: string): Promise<{ readSeq: number; added: boolean } | undefined> {
    const rows = await this.db.query<{ read_seq: unknown; added: boolean }>('SELECT read_seq, added FROM join_room($1, $2::uuid)', [roomId, userId], { prepared: true })
    const row = rows[0]
    return row && { readSeq: toNumber(row.read_seq), added: row.added }
  }

  /**
   * Takes the user out of the room's members (it leaves their list; joining again through the link
   * adds them back). The owner hands the room to the member with an account who joined earliest;
   * an owner alone in it gets `last_member`, one with only guests beside them `only_guests`, and
   * stays (they delete it instead). One round trip: the `leave_room` function (migration 006,
   * guests since 011), which locks the room row so that leaves of one room take turns.
   */
  async leave(roomId: string, userId: string): Promise<LeaveOutcome> {
    const rows = await this.db.query<{ outcome: LeaveOutcome['outcome'] | 'handed_over'; owner_id: string | null }>(
      'SELECT * FROM leave_room($1, $2::uuid)',
      [roomId, userId],
    )
    const row = rows[0]
    if (row?.outcome === 'left' || row?.outcome === 'handed_over') {
      return { outcome: 'left', ownerId: row.owner_id!, handedOver: row.outcome === 'handed_over' }
    }
    return { outcome: row?.outcome ?? 'not_found' }
  }

  /** Up to `limit` members of the room, the most recently seen first (then the latest to join). */
  async membersSeen(roomId: string, limit: number): Promise<SeenMember[]> {
    const rows = await this.db.query<{ user_id: string; username: string; last_seen_at: unknown; guest: boolean }>(
      `SELECT m.user_id, u.username, m.last_seen_at, u.guest_room_id IS NOT NULL AS guest
       FROM room_members m JOIN users u ON u.id = m.user_id
       WHERE m.room_id = $1
       ORDER BY m.last_seen_at DESC NULLS LAST, m.joined_at DESC
       LIMIT $2`,
      [roomId, limit],
    )
    return rows.map((row) => ({
      userId: row.user_id,
      username: row.username,
      lastSeenAt: row.last_seen_at === null ? null : toIso(row.last_seen_at),
      ...(row.guest ? { guest: true as const } : {}),
    }))
  }

  /** Records when members were last connected; a time older than the one stored changes nothing. */
  async recordSeen(roomId: string, seen: readonly { userId: string; at: string }[]): Promise<void> {
    await this.db.query(
      `UPDATE room_members m SET last_seen_at = greatest(m.last_seen_at, s.at)
       FROM unnest($2::uuid[], $3::timestamptz[]) AS s (user_id, at)
       WHERE m.room_id = $1 AND m.user_id = s.user_id`,
      [roomId, seen.map((entry) => entry.userId), seen.map((entry) => entry.at)],
    )
  }

  async isMember(roomId: string, userId: string): Promise<boolean> {
    const rows = await this.db.query('SELECT 1 FROM room_members WHERE room_id = $1 AND user_id = $2', [
      roomId,
      userId,
    ])
    return rows.length > 0
  }

  /**
   * The rooms a user owns or joined, most recently active first, each with what they have not read
   * and its latest message (`roomActivity.ts`, the one place that reads messages for it).
   */
  async listForUser(user: { id: string; username: string }): Promise<MyRoom[]> {
    const rows = await this.db.query<RoomRow & RoomActivityRow>(
      `SELECT r.id, r.name, r.owner_id, u.username AS owner_username, r.created_at, r.last_activity_at,
              r.visibility, r.description, ${ROOM_ACTIVITY_COLUMNS}
       FROM room_members m
       JOIN rooms r ON r.id = m.room_id
       JOIN users u ON u.id = r.owner_id
       ${roomActivityJoins('$2')}
       WHERE m.user_id = $1
       ORDER BY r.last_activity_at DESC, r.created_at DESC, r.id
       LIMIT ${MAX_LISTED_ROOMS}`,
      [user.id, mentionPattern(user.username)],
    )
    return rows.map((row) => ({ ...summaryOf(toRoom(row), { id: row.owner_id, username: row.owner_username }), ...toRoomActivity(row) }))
  }

  /**
   * Moves members' read positions forward, only while the room is placed on `host` under `epoch`
   * (its session server is the one that knows). Never back (a late or repeated batch changes
   * nothing) and never past the room's latest seq; users who are not members are skipped.
   */
  async recordReads(roomId: string, host: string, epoch: number, reads: readonly { userId: string; seq: number }[]): Promise<RecordReadsOutcome> {
    const rows = await this.db.query<{ placed: boolean }>(
      `WITH placed AS (
         SELECT room_id FROM placements WHERE room_id = $1 AND host = $2 AND epoch = $3
       ), latest AS (
         SELECT coalesce(max(seq), 0) AS seq FROM messages WHERE room_id = $1
       ), moved AS (
         UPDATE room_members m SET read_seq = greatest(m.read_seq, least(r.seq, latest.seq))
         FROM unnest($4::uuid[], $5::bigint[]) AS r (user_id, seq), latest, placed
         WHERE m.room_id = placed.room_id AND m.user_id = r.user_id
       )
       SELECT EXISTS (SELECT 1 FROM placed) AS placed`,
      [roomId, host, epoch, reads.map((read) => read.userId), reads.map((read) => read.seq)],
    )
    if (rows[0]?.placed) return { ok: true }
    return { ok: false, reason: (await this.find(roomId)) ? 'room_moved' : 'not_found' }
  }

  /** Deletes the room; members, messages and placement go with it (foreign keys cascade). */
  async delete(roomId: string): Promise<boolean> {
    const rows = await this.db.query('DELETE FROM rooms WHERE id = $1 RETURNING id', [roomId])
    return rows.length > 0
  }
}

function toRoom(row: RoomRow): Room {
  return {
    id: row.id,
    name: row.name,
    ownerId: row.owner_id,
    createdAt: toIso(row.created_at),
    lastActivityAt: toIso(row.last_activity_at),
    visibility: row.visibility,
    description: row.description,
  }
}

/** A room as the API lists it: with its owner's name. */
export function summaryOf(room: Room, owner: { id: string; username: string }): RoomSummary {
  return {
    roomId: room.id,
    name: room.name,
    owner: { id: owner.id, username: owner.username },
    lastActivityAt: room.lastActivityAt,
    createdAt: room.createdAt,
    visibility: room.visibility,
    description: room.description,
  }
}
