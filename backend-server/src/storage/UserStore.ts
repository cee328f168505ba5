import { randomUUID } from 'node:crypto'
import type { User } from '@scalable-chat/backend-contract'
import type { Queryable } from './Database.js'
import { toIso } from './rowValues.js'

export interface UserWithPassword extends User {
  /** `undefined` for a guest, which has no password: a login with its name fails like an unknown one. */
  passwordHash: string | undefined
}

/** A guest as created: the room it is limited to and when its access ends (ISO 8601). */
export interface Guest extends User {
  guest: true
  roomId: string
  expiresAt: string
}

interface UserRow {
  id: string
  username: string
  password_hash: string | null
  guest_room_id: string | null
}

/** A user as the API shows it: `guest: true` only for guests, so an account's JSON does not grow. */
function toUser(row: Pick<UserRow, 'id' | 'username' | 'guest_room_id'>): User {
  return row.guest_room_id === null ? { id: row.id, username: row.username } : { id: row.id, username: row.username, guest: true }
}

export class UserStore {
  constructor(private readonly db: Queryable) {}

  /** Returns `undefined` when the name is taken (case-insensitively) by an account or a live guest, without throwing. */
  async create(username: string, passwordHash: string): Promise<User | undefined> {
    await this.freeExpiredGuestName(username)
    const rows = await this.db.query<UserRow>(
      `INSERT INTO users (id, username, username_lower, password_hash)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (username_lower) DO NOTHING
       RETURNING id, username`,
      [randomUUID(), username, username.toLowerCase(), passwordHash],
    )
    const row = rows[0]
    return row ? { id: row.id, username: row.username } : undefined
  }

  /**
   * A guest of `roomId`, a member of it, whose access ends `ttlSeconds` from now (the database's
   * now, which the sweep compares with). One statement, so a guest never exists without its
   * membership. `undefined` when the name is taken (as `create`) or the room does not exist.
   */
  async createGuest(username: string, roomId: string, ttlSeconds: number): Promise<Guest | undefined> {
    await this.freeExpiredGuestName(username)
    const rows = await this.db.query<{ id: string; username: string; expires_at: unknown }>(
      `WITH guest AS (
         INSERT INTO users (id, username, username_lower, guest_room_id, expires_at)
         SELECT $1, $2, $3, r.id, now() + make_interval(secs => $5::double precision) FROM rooms r WHERE r.id = $4
         ON CONFLICT (username_lower) DO NOTHING
         RETURNING id, username, guest_room_id, expires_at
       ), member AS (
         INSERT INTO room_members (room_id, user_id) SELECT guest_room_id, id FROM guest
       )
       SELECT id, username, expires_at FROM guest`,
      [randomUUID(), username, username.toLowerCase(), roomId, ttlSeconds],
    )
    const row = rows[0]
    return row ? { id: row.id, username: row.username, guest: true, roomId, expiresAt: toIso(row.expires_at) } : undefined
  }

  async findByUsername(username: string): Promise<UserWithPassword | undefined> {
    const rows = await this.db.query<UserRow>(
      'SELECT id, username, password_hash, guest_room_id FROM users WHERE username_lower = $1',
      [username.toLowerCase()],
    )
    const row = rows[0]
    return row ? { ...toUser(row), passwordHash: row.password_hash ?? undefined } : undefined
  }

  /** Replaces the hash of an account whose old one was verified (a login upgrading its parameters). */
  async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.db.query('UPDATE users SET password_hash = $2 WHERE id = $1', [id, passwordHash])
  }

  /** The user; a guest whose access ended is gone already, even before the sweep deletes it. */
  async findById(id: string): Promise<User | undefined> {
    const rows = await this.db.query<UserRow>(
      'SELECT id, username, guest_room_id FROM users WHERE id = $1 AND (expires_at IS NULL OR expires_at > now())',
      [id],
    )
    const row = rows[0]
    return row && toUser(row)
  }

  /**
   * Deletes the guests whose access has ended (their memberships cascade; their messages stay) and
   * says who they were and in which room, so that room's session server can be told. Each expired
   * guest is returned by exactly one sweep, whichever replica runs it.
   */
  async deleteExpiredGuests(): Promise<{ userId: string; roomId: string }[]> {
    const rows = await this.db.query<{ id: string; guest_room_id: string }>(
      'DELETE FROM users WHERE expires_at <= now() RETURNING id, guest_room_id',
    )
    return rows.map((row) => ({ userId: row.id, roomId: row.guest_room_id }))
  }

  /**
   * An expired guest keeps its name only until the sweep runs; a name is free again as soon as
   * the guest's access ends, so its row goes now rather than make the newcomer wait for the sweep.
   */
  private async freeExpiredGuestName(username: string): Promise<void> {
    await this.db.query('DELETE FROM users WHERE username_lower = $1 AND expires_at <= now()', [username.toLowerCase()])
  }
}
