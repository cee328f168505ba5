/**
 * A small typed wrapper over `fetch` for the backend's public API. It sends JSON with the user's
 * bearer token and turns every failure into an `ApiError`.
 *
 * Response bodies are trusted and not validated: they come from our own backend, and validating
 * them would ship zod in the first-load bundle. Only TYPES come from the backend's contract.
 */
import type {
  DirectoryResponse,
  RoomVisibility,
  AuthOptionsResponse,
  AuthResponse,
  CreateRoomResponse,
  Credentials,
  HistoryResponse,
  JoinRoomResponse,
  ListRoomsResponse,
  MyRoom,
  RoomSummary,
  User,
} from '@scalable-chat/backend-contract'
import { ApiError, NETWORK_ERROR } from './ApiError.js'

export interface ApiClientOptions {
  /** Prefix of every path; '' means the page's own origin (the dev proxy serves /api). */
  baseUrl?: string
  fetch?: typeof fetch
  getToken?: () => string | null
  /** Called on any 401, e.g. to sign the user out when their token expired or was revoked. */
  onUnauthorized?: () => void
}

export type ApiClient = ReturnType<typeof createApiClient>

/**
 * @example
 * const api = createApiClient({ getToken: () => session?.token ?? null })
 * const { roomId } = await api.createRoom('Team')
 */
export function createApiClient(options: ApiClientOptions = {}) {
  const baseUrl = options.baseUrl ?? ''
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' }
    const token = options.getToken?.()
    if (token) headers.Authorization = `Bearer ${token}`
    if (body !== undefined) headers['Content-Type'] = 'application/json'

    let response: Response
    try {
      response = await doFetch(`${baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    } catch (cause) {
      throw new ApiError(0, NETWORK_ERROR, 'Cannot reach the server. Check your connection and try again.', {
        cause,
      })
    }

    if (response.status === 401) options.onUnauthorized?.()
    if (!response.ok) throw await toApiError(response)
    if (response.status === 204) return undefined as T
    const text = await response.text()
    return (text ? JSON.parse(text) : undefined) as T
  }

  return {
    register: (credentials: Credentials) => request<AuthResponse>('POST', '/api/register', credentials),
    /** Checks the stored token against the server (the account may be gone after a data reset). */
    me: () => request<{ user: User }>('GET', '/api/me'),
    login: (credentials: Credentials) => request<AuthResponse>('POST', '/api/login', credentials),
    /** Which ways in the backend offers besides an account (no token needed). */
    authOptions: () => request<AuthOptionsResponse>('GET', '/api/auth/options'),
    /** Enters the room of a link with a name only, as a guest limited to that room. */
    enterAsGuest: (username: string, roomId: string) => request<AuthResponse>('POST', '/api/auth/guest', { username, roomId }),
    listRooms: async (): Promise<MyRoom[]> => (await request<ListRoomsResponse>('GET', '/api/rooms')).rooms,
    /** `options`: `public` lists it in the directory, with its description. */
    createRoom: (name: string, options: { visibility?: RoomVisibility; description?: string } = {}) =>
      request<CreateRoomResponse>('POST', '/api/rooms', { name, ...options }),
    /** The owner: who finds the room, and its description. */
    updateRoom: (roomId: string, changes: { visibility?: RoomVisibility; description?: string }) =>
      request<RoomSummary>('PATCH', `/api/rooms/${encodeURIComponent(roomId)}`, changes),
    /** A page of the public directory: rooms matching `q`, after `cursor` (the previous page's `nextCursor`). */
    publicRooms: (q: string, cursor?: string) => {
      const query = new URLSearchParams({ q })
      if (cursor) query.set('cursor', cursor)
      return request<DirectoryResponse>('GET', `/api/rooms/public?${query}`)
    },
    /**
     * `failedHost`: the session server the last attempt could not reach, so the Scheduler re-checks it.
     * `rejoin`: a reconnect, which must not make a member who left (elsewhere) a member again.
     */
    joinRoom: (roomId: string, failedHost?: string, rejoin?: boolean) => {
      const params = new URLSearchParams({ ...(failedHost ? { failedHost } : {}), ...(rejoin ? { rejoin: '1' } : {}) })
      const query = params.size > 0 ? `?${params}` : ''
      return request<JoinRoomResponse>('GET', `/api/rooms/${encodeURIComponent(roomId)}${query}`)
    },
    deleteRoom: (roomId: string) => request<void>('DELETE', `/api/rooms/${encodeURIComponent(roomId)}`),
    leaveRoom: (roomId: string) => request<void>('POST', `/api/rooms/${encodeURIComponent(roomId)}/leave`),
    /** A page of the messages before `before` (the latest without it); `limit` defaults to the backend's page size. */
    history: (roomId: string, before?: number, limit?: number) => {
      const query = new URLSearchParams()
      if (before !== undefined) query.set('before', String(before))
      if (limit !== undefined) query.set('limit', String(limit))
      return request<HistoryResponse>('GET', `/api/rooms/${encodeURIComponent(roomId)}/messages?${query}`)
    },
  }
}

async function toApiError(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } }
    const { code, message } = body.error ?? {}
    if (typeof code === 'string' && typeof message === 'string') {
      return new ApiError(response.status, code, message)
    }
  } catch {
    // Not JSON (a proxy's HTML error page, for instance): fall through to a generic error.
  }
  const message =
    response.status === 502 || response.status === 503 || response.status === 504
      ? 'Cannot reach the server. Check your connection and try again.'
      : `The server answered with an error (${response.status}).`
  return new ApiError(response.status, `http_${response.status}`, message)
}
