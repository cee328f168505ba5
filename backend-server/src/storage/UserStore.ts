import { randomUUID } from 'node:crypto'
import type { User } from '@scalable-chat/backend-contract'
import type { Queryable } from './Database.js'

export interface UserWithPassword extends User {
  passwordHash: string
}

interface UserRow {
  id: string
  username: string
  password_hash: string
}

export class UserStore {
  constructor(private readonly db: Queryable) {}

  /** Returns `undefined` when the name is taken (case-insensitively), without throwing. */
  async create(username: string, passwordHash: string): Promise<User | undefined> {
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

  async findByUsername(username: string): Promise<UserWithPassword | undefined> {
    const rows = await this.db.query<UserRow>(
      'SELECT id, username, password_hash FROM users WHERE username_lower = $1',
      [username.toLowerCase()],
    )
    const row = rows[0]
    return row ? { id: row.id, username: row.username, passwordHash: row.password_hash } : undefined
  }

  /** Replaces the hash of an account whose old one was verified (a login upgrading its parameters). */
  async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.db.query('UPDATE users SET password_hash = $2 WHERE id = $1', [id, passwordHash])
  }

  async findById(id: string): Promise<User | undefined> {
    const rows = await this.db.query<UserRow>('SELECT id, username FROM users WHERE id = $1', [id])
    const row = rows[0]
    return row ? { id: row.id, username: row.username } : undefined
  }
}
