/**
 * Users, rooms and targets for the workloads (not measured): the project's through its HTTP API,
 * the baseline's by name.
 */
import type { AuthResponse, CreateRoomResponse } from '@scalable-chat/backend-contract'
import type { Baseline, ProjectStack } from './processes.js'
import { pool } from './load/connect.js'
import type { Target } from './tasks.js'

/** Guest entries in flight while the storm's rooms fill (not measured). */
const GUEST_CONCURRENCY = 16

/** The project's HTTP API, for setting up users and rooms (not measured). */
export class ProjectSetup {
  readonly userTokens: string[] = []
  private rooms = 0

  constructor(private readonly stack: ProjectStack) {}

  private async api<T>(path: string, body: unknown, token?: string): Promise<T> {
    const response = await fetch(`${this.stack.backendUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    })
    if (!response.ok) throw new Error(`POST ${path}: HTTP ${response.status} ${await response.text()}`)
    return (await response.json()) as T
  }

  /** At least `count` registered users (registration is scrypt: a few at a time). */
  async users(count: number): Promise<string[]> {
    const prefix = `bench${Date.now().toString(36)}`
    while (this.userTokens.length < count) {
      const batch = Array.from({ length: Math.min(8, count - this.userTokens.length) }, (_, i) => this.userTokens.length + i)
      const tokens = await Promise.all(
        batch.map((n) => this.api<AuthResponse>('/api/register', { username: `${prefix}_${n}`, password: 'benchmark-password' })),
      )
      this.userTokens.push(...tokens.map((t) => t.token))
    }
    return this.userTokens.slice(0, count)
  }

  /** `count` new, empty rooms. */
  async newRooms(count: number): Promise<string[]> {
    const [owner] = await this.users(1)
    const ids: string[] = []
    for (let i = 0; i < count; i++) {
      ids.push((await this.api<CreateRoomResponse>('/api/rooms', { name: `bench ${++this.rooms}` }, owner)).roomId)
    }
    return ids
  }

  /**
   * `perRoom` guests of each room (its user tokens, room by room): each a user of its own, made in
   * one INSERT instead of an account's scrypt hash (~160 ms of a core each, minutes for thousands).
   * The stack must allow guests (`startProject({ guests: true })`).
   */
  async guests(roomIds: readonly string[], perRoom: number): Promise<string[][]> {
    const prefix = `g${Date.now().toString(36)}`
    const tokens = roomIds.map(() => new Array<string>(perRoom))
    await pool(roomIds.length * perRoom, GUEST_CONCURRENCY, async (n) => {
      const room = Math.floor(n / perRoom)
      const member = n % perRoom
      const guest = await this.api<AuthResponse>('/api/auth/guest', { username: `${prefix}_${room}_${member}`, roomId: roomIds[room] })
      tokens[room]![member] = guest.token
    })
    return tokens
  }

  async target(rooms: number, members: number): Promise<Target> {
    return { kind: 'project', backendUrl: this.stack.backendUrl, userTokens: await this.users(members), roomIds: await this.newRooms(rooms) }
  }
}

let baselineRooms = 0
/** `rooms` rooms of the baseline no workload used before (it creates a room on its first connection). */
export function baselineTarget(baseline: Baseline, rooms: number): Target {
  return { kind: 'baseline', url: baseline.url, roomIds: Array.from({ length: rooms }, () => `room-${++baselineRooms}`) }
}
