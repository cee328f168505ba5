/**
 * A real stack for integration tests (`startTestStack`: the real backend on in-memory PGlite and
 * one session server, both on 127.0.0.1:0), with the API calls and WebSocket clients tests use.
 */
import type { AuthResponse, CreateRoomResponse, JoinRoomResponse } from '@scalable-chat/backend-contract'
import { PROTOCOL_VERSION } from '@scalable-chat/protocol'
import { startTestStack, type TestStack, type TestStackOptions } from '../../src/testing/index.js'
import { TestClient } from './TestClient.js'

export interface Stack extends TestStack {
  register(username: string): Promise<AuthResponse>
  createRoom(userToken: string, name?: string): Promise<string>
  join(userToken: string, roomId: string): Promise<JoinRoomResponse>
  /** Opens a WebSocket with a room token (query built from `params`). */
  connect(params: Record<string, string | number>, options?: { autoPong?: boolean }): TestClient
  /** register + create room (first user) + join + connect, for each username. */
  usersInRoom(usernames: string[]): Promise<{ roomId: string; users: Array<{ auth: AuthResponse; client: TestClient }> }>
}

export async function startStack(sessionEnv: Record<string, string> = {}, options: Omit<TestStackOptions, 'sessionEnv'> = {}): Promise<Stack> {
  const base = await startTestStack({ ...options, sessionEnv })
  const { backend, host } = base
  const clients: TestClient[] = []

  async function api<T>(method: string, path: string, token: string | undefined, body?: unknown): Promise<T> {
    const response = await fetch(`${backend.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`)
    return (response.status === 204 ? undefined : await response.json()) as T
  }

  // On top of the base stack (a prototype, not a copy: `session` and `server` are live getters).
  const stack: Stack = Object.assign(Object.create(base) as TestStack, {
    register: (username: string) => api<AuthResponse>('POST', '/api/register', undefined, { username, password: 'correct horse battery' }),
    createRoom: async (token: string, name = 'Test room') => (await api<CreateRoomResponse>('POST', '/api/rooms', token, { name })).roomId,
    join: (token: string, roomId: string) => api<JoinRoomResponse>('GET', `/api/rooms/${roomId}`, token),
    connect(params: Record<string, string | number>, connectOptions?: { autoPong?: boolean }) {
      const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]))
      const client = new TestClient(`ws://${host}/?${query}`, connectOptions)
      clients.push(client)
      return client
    },
    async usersInRoom(usernames: string[]) {
      const auths = await Promise.all(usernames.map((name) => stack.register(name)))
      const roomId = await stack.createRoom(auths[0]!.token)
      const users = []
      for (const auth of auths) {
        const { token } = await stack.join(auth.token, roomId)
        const client = stack.connect({ token, v: PROTOCOL_VERSION })
        await client.next('snapshot')
        users.push({ auth, client })
      }
      return { roomId, users }
    },
    async close() {
      for (const client of clients) client.terminate()
      await base.close()
    },
  })
  return stack
}

let counter = 0
/** A username unique within the test run (usernames are unique per backend anyway). */
export function uniqueName(prefix = 'user'): string {
  return `${prefix}_${process.pid}_${++counter}`
}
