/**
 * What the client tests against real servers share: a signed-in API client, a started
 * `ChatConnection` over `ws` (Node 20 has no global WebSocket), and waiting for a state.
 */
import { WebSocket } from 'ws'
import { createApiClient, type ApiClient } from '../../src/api/createApiClient.js'
import { ChatConnection, type ChatState, type SocketConstructor } from '../../src/room/connection/ChatConnection.js'

export const PASSWORD = 'correct horse battery'

/** `ws`'s WebSocket, as ChatConnection takes it. */
export const NodeWebSocket = WebSocket as unknown as SocketConstructor

let counter = 0
/** A username unique within the test run. */
export function uniqueName(prefix = 'user'): string {
  return `${prefix}${++counter}_${process.pid}`
}

export interface SignedIn {
  api: ApiClient
  userId: string
  username: string
}

/** Registers a new account on the backend at `backendUrl`; the API client carries its token. */
export async function signedInApi(backendUrl: string, username = uniqueName()): Promise<SignedIn> {
  let token: string | null = null
  const api = createApiClient({ baseUrl: backendUrl, getToken: () => token })
  const auth = await api.register({ username, password: PASSWORD })
  token = auth.token
  return { api, userId: auth.user.id, username }
}

const opened = new Set<ChatConnection>()

/**
 * A started connection to the room, with the shortest backoff (random 0: a 250 ms first retry)
 * so a suite stays fast. `disposeConnections()` (after each test) closes every one still open.
 */
export function openConnection(api: Pick<ApiClient, 'joinRoom' | 'history'>, roomId: string, socket: SocketConstructor = NodeWebSocket): ChatConnection {
  const connection = new ChatConnection({ roomId, api, WebSocket: socket, secure: false, random: () => 0 })
  opened.add(connection)
  connection.start()
  return connection
}

export function disposeConnections(): void {
  for (const connection of opened) connection.dispose()
  opened.clear()
}

/** Resolves with the state once `predicate` holds for it (checked now and after every change). */
export function waitForState(connection: ChatConnection, predicate: (state: ChatState) => boolean): Promise<ChatState> {
  return new Promise((resolve) => {
    const check = () => {
      const state = connection.getState()
      if (!predicate(state)) return
      unsubscribe()
      resolve(state)
    }
    const unsubscribe = connection.subscribe(check)
    check()
  })
}

export const isLive = (state: ChatState): boolean => state.status.kind === 'live'
