/**
 * The backend's internal API as a session server uses it: load a room, commit a batch of messages,
 * release a room, register itself. An interface so that room logic never names HTTP, and tests can
 * hand a room a scripted backend. `HttpBackendApi` is the implementation (the internal API in
 * `@scalable-chat/backend-contract/internal`).
 *
 * Expected failures are values, not exceptions: the caller must decide what each one means for
 * its room (close with ROOM_MOVED, retry, …), so they are spelled out in `BackendFailure`.
 */
import type {
  CommitRequest,
  CommitResponse,
  HeartbeatRequest,
  LoadRoomResponse,
  ReadRequest,
  RoomTokenKeyResponse,
  SaveBoardRequest,
  SeenRequest,
} from '@scalable-chat/backend-contract/internal'

export type BackendFailure =
  /** 404: the room does not exist (deleted). */
  | { ok: false; reason: 'not_found' }
  /** 409: the room is placed elsewhere now, or another writer moved its seq (fenced). */
  | { ok: false; reason: 'moved' }
  /** Network error, timeout or 5xx: worth retrying. */
  | { ok: false; reason: 'unavailable'; detail: string }
  /** Any other answer (400, 401): a bug or a misconfiguration; retrying will not help. */
  | { ok: false; reason: 'rejected'; detail: string }
  /**
   * A 2xx whose body is unreadable or fails the schema: the request DID take effect (a commit was
   * stored), but what it answered is unknown, so the caller's state may be stale.
   */
  | { ok: false; reason: 'unreadable'; detail: string }

export type BackendResult<T> = { ok: true; value: T } | BackendFailure

export interface BackendApi {
  /** `GET /internal/rooms/:roomId?host=`: the room, its placement epoch, latest seq and messages. */
  loadRoom(roomId: string, host: string): Promise<BackendResult<LoadRoomResponse>>
  /** `POST /internal/rooms/:roomId/messages`: store one batch atomically (idempotent per clientId). */
  commit(roomId: string, request: CommitRequest): Promise<BackendResult<CommitResponse>>
  /** `PUT /internal/rooms/:roomId/board`: store the room's whole board (fenced like a commit). */
  saveBoard(roomId: string, request: SaveBoardRequest): Promise<BackendResult<void>>
  /** `POST /internal/rooms/:roomId/seen`: when members' last connections to the room closed. */
  reportSeen(roomId: string, request: SeenRequest): Promise<BackendResult<void>>
  /** `POST /internal/rooms/:roomId/read`: how far members have read the room (fenced like a commit). */
  saveReads(roomId: string, request: ReadRequest): Promise<BackendResult<void>>
  /** `POST /internal/rooms/:roomId/release`: the room emptied and was unloaded here. */
  release(roomId: string, host: string, epoch: number): Promise<BackendResult<void>>
  /** `POST /internal/servers/register`: this host (re)started with nothing in memory. */
  register(host: string, internalUrl?: string): Promise<BackendResult<void>>
  /** `GET /internal/room-token-key`: the public key room tokens are verified with. */
  roomTokenKey(): Promise<BackendResult<RoomTokenKeyResponse>>
}

/**
 * The fleet's side of the internal API (`FleetRegistration` uses it): load reports and
 * deregistration. Apart from `BackendApi` so room tests and their scripted backends need not care.
 */
export interface FleetApi extends Pick<BackendApi, 'register'> {
  /** `POST /internal/servers/heartbeat`: this server is alive, with its load. */
  heartbeat(report: HeartbeatRequest): Promise<BackendResult<void>>
  /** `POST /internal/servers/deregister`: this server drained and stops. */
  deregister(host: string): Promise<BackendResult<void>>
}
