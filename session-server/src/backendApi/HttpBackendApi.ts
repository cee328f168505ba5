import type { z } from 'zod'
import {
  CommitResponse,
  LoadRoomResponse,
  RoomTokenKeyResponse,
  type CommitRequest,
  type HeartbeatRequest,
  type ReadRequest,
  type SaveBoardRequest,
  type SeenRequest,
} from '@scalable-chat/backend-contract/internal'
import type { BackendApi, BackendResult, FleetApi } from './BackendApi.js'
import { jsonRequest, type JsonResponse } from './jsonRequest.js'

/** A backend that does not answer within this long is treated as unavailable (and retried by callers). */
const REQUEST_TIMEOUT_MS = 10_000

/** The backend's internal HTTP API over keep-alive `node:http(s)` (`jsonRequest`), authenticated with the service token. */
export class HttpBackendApi implements BackendApi, FleetApi {
  constructor(
    private readonly baseUrl: string,
    private readonly serviceToken: string,
  ) {}

  loadRoom(roomId: string, host: string): Promise<BackendResult<LoadRoomResponse>> {
    const query = new URLSearchParams({ host })
    return this.request('GET', `/internal/rooms/${encodeURIComponent(roomId)}?${query}`, undefined, LoadRoomResponse)
  }

  commit(roomId: string, request: CommitRequest): Promise<BackendResult<CommitResponse>> {
    return this.request('POST', `/internal/rooms/${encodeURIComponent(roomId)}/messages`, request, CommitResponse)
  }

  saveBoard(roomId: string, request: SaveBoardRequest): Promise<BackendResult<void>> {
    return this.request('PUT', `/internal/rooms/${encodeURIComponent(roomId)}/board`, request)
  }

  reportSeen(roomId: string, request: SeenRequest): Promise<BackendResult<void>> {
    return this.request('POST', `/internal/rooms/${encodeURIComponent(roomId)}/seen`, request)
  }

  saveReads(roomId: string, request: ReadRequest): Promise<BackendResult<void>> {
    return this.request('POST', `/internal/rooms/${encodeURIComponent(roomId)}/read`, request)
  }

  release(roomId: string, host: string, epoch: number): Promise<BackendResult<void>> {
    return this.request('POST', `/internal/rooms/${encodeURIComponent(roomId)}/release`, { host, epoch })
  }

  register(host: string, internalUrl?: string): Promise<BackendResult<void>> {
    return this.request('POST', '/internal/servers/register', { host, ...(internalUrl ? { internalUrl } : {}) })
  }

  roomTokenKey(): Promise<BackendResult<RoomTokenKeyResponse>> {
    return this.request('GET', '/internal/room-token-key', undefined, RoomTokenKeyResponse)
  }

  heartbeat(report: HeartbeatRequest): Promise<BackendResult<void>> {
    return this.request('POST', '/internal/servers/heartbeat', report)
  }

  deregister(host: string): Promise<BackendResult<void>> {
    return this.request('POST', '/internal/servers/deregister', { host })
  }

  private async request<T>(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body: unknown,
    schema?: z.ZodType<T>,
  ): Promise<BackendResult<T>> {
    let response: JsonResponse
    try {
      response = await jsonRequest(new URL(`${this.baseUrl}${path}`), {
        method,
        headers: {
          authorization: `Bearer ${this.serviceToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        timeoutMs: REQUEST_TIMEOUT_MS,
      })
    } catch (error) {
      return { ok: false, reason: 'unavailable', detail: error instanceof Error ? error.message : String(error) }
    }
    if (response.status === 404) return { ok: false, reason: 'not_found' }
    if (response.status === 409) return { ok: false, reason: 'moved' }
    if (response.status >= 500) return { ok: false, reason: 'unavailable', detail: `HTTP ${response.status}` }
    if (response.status < 200 || response.status >= 300) return { ok: false, reason: 'rejected', detail: `HTTP ${response.status}` }
    if (schema === undefined) return { ok: true, value: undefined as T }
    let json: unknown
    try {
      json = JSON.parse(response.body.toString('utf8'))
    } catch {
      return { ok: false, reason: 'unreadable', detail: 'response is not JSON' }
    }
    const parsed = schema.safeParse(json)
    if (!parsed.success) return { ok: false, reason: 'unreadable', detail: `invalid response: ${parsed.error.message}` }
    return { ok: true, value: parsed.data }
  }
}
