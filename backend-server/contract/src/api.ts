/**
 * The backend's public HTTP contract: request schemas (validated at the edge) and the response
 * types the web and terminal clients import. Errors are always `{ error: { code, message } }`.
 */
import { z } from 'zod'
import { replaceLoneSurrogates } from './replaceLoneSurrogates.js'
import {
  DIRECTORY_PAGE_RULE,
  HISTORY_PAGE_RULE,
  PASSWORD_RULE,
  ROOM_DESCRIPTION_RULE,
  ROOM_NAME_RULE,
  ROOM_VISIBILITIES,
  USERNAME_RULE,
} from './rules.js'

const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/g

export const Username = z
  .string()
  .trim()
  .min(USERNAME_RULE.minLength, `must be at least ${USERNAME_RULE.minLength} characters`)
  .max(USERNAME_RULE.maxLength, `must be at most ${USERNAME_RULE.maxLength} characters`)
  .regex(USERNAME_RULE.pattern, USERNAME_RULE.patternText)
export const Password = z
  .string()
  .min(PASSWORD_RULE.minLength, `must be at least ${PASSWORD_RULE.minLength} characters`)
  .max(PASSWORD_RULE.maxLength, `must be at most ${PASSWORD_RULE.maxLength} characters`)

export const Credentials = z.strictObject({ username: Username, password: Password })
export type Credentials = z.infer<typeof Credentials>

/** Room names: control characters removed, lone surrogates replaced by U+FFFD, trimmed, 1–64 characters. */
export const RoomName = z
  .string()
  .transform((s) => replaceLoneSurrogates(s.replace(CONTROL_CHARS, '')).trim())
  .pipe(
    z
      .string()
      .min(ROOM_NAME_RULE.minLength, 'must not be empty')
      .max(ROOM_NAME_RULE.maxLength, `must be at most ${ROOM_NAME_RULE.maxLength} characters`),
  )
export const RoomVisibility = z.enum(ROOM_VISIBILITIES)
export type RoomVisibility = z.infer<typeof RoomVisibility>

/** A room's description: cleaned like a name (control characters out, trimmed), up to 280 characters; may be empty. */
export const RoomDescription = z
  .string()
  .transform((s) => replaceLoneSurrogates(s.replace(CONTROL_CHARS, ' ')).trim())
  .pipe(z.string().max(ROOM_DESCRIPTION_RULE.maxLength, `must be at most ${ROOM_DESCRIPTION_RULE.maxLength} characters`))

export const CreateRoomRequest = z.strictObject({
  name: RoomName,
  visibility: RoomVisibility.default('unlisted'),
  description: RoomDescription.default(''),
})
export type CreateRoomRequest = z.input<typeof CreateRoomRequest>

/** `PATCH /api/rooms/:roomId` (the owner): who finds the room, and its description. */
export const UpdateRoomRequest = z
  .strictObject({ visibility: RoomVisibility.optional(), description: RoomDescription.optional() })
  .refine((update) => update.visibility !== undefined || update.description !== undefined, 'changes nothing')
export type UpdateRoomRequest = z.input<typeof UpdateRoomRequest>

/** `GET /api/rooms/public`: rooms whose name or description contains `q` (any case), a page after `cursor`. */
export const DirectoryQuery = z.strictObject({
  q: z.string().trim().max(DIRECTORY_PAGE_RULE.maxQueryLength).default(''),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(DIRECTORY_PAGE_RULE.maxLimit).default(DIRECTORY_PAGE_RULE.defaultLimit),
})

/** Room ids are 12 url-safe random characters; anything else is a 404 without touching storage. */
export const RoomIdParam = z.string().regex(/^[A-Za-z0-9_-]{10,32}$/)

export const HistoryQuery = z.strictObject({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(HISTORY_PAGE_RULE.maxLimit).default(HISTORY_PAGE_RULE.defaultLimit),
})

/** A stored chat message. `seq` is 1, 2, 3… per room with no gaps. */
export const ChatMessage = z.object({
  seq: z.number().int().positive(),
  id: z.string(),
  userId: z.string(),
  username: z.string(),
  text: z.string(),
  /** Chosen by the sender; acknowledges the send and makes a retried send idempotent. */
  clientId: z.string(),
  /** ISO 8601. */
  createdAt: z.string(),
})
export type ChatMessage = z.infer<typeof ChatMessage>

export interface User {
  id: string
  username: string
}
export interface AuthResponse {
  token: string
  user: User
}
export interface RoomSummary {
  roomId: string
  name: string
  owner: User
  /** ISO 8601: the latest message, or the creation time for a room without messages. */
  lastActivityAt: string
  createdAt: string
  visibility: RoomVisibility
  description: string
}
/** A room in the public directory. */
export interface PublicRoom {
  roomId: string
  name: string
  description: string
  owner: User
  memberCount: number
  /** People connected to it now; null when its session server did not answer in time. */
  online: number | null
  lastActivityAt: string
}
/** `GET /api/rooms/public`: most recently active first; `nextCursor` asks for the page after this one. */
export interface DirectoryResponse {
  rooms: PublicRoom[]
  nextCursor: string | null
}
/** A room's latest message as the lobby previews it: `text` cut to `UNREAD_RULE.previewLength` characters. */
export interface LastMessagePreview {
  seq: number
  username: string
  text: string
  createdAt: string
}
/**
 * A room in the user's own list: the summary plus what they have not read. `unread` counts the
 * messages by others after their read position, up to `UNREAD_RULE.countCap` (a client shows the
 * cap as "99+"); `mentions` are those of them that name the user (`@username`).
 */
export interface MyRoom extends RoomSummary {
  unread: number
  mentions: number
  lastMessage: LastMessagePreview | null
}
/** `GET /api/rooms`: the rooms the user owns or joined, most recently active first. */
export interface ListRoomsResponse {
  rooms: MyRoom[]
}
export interface CreateRoomResponse {
  roomId: string
  name: string
}
/** `GET /api/rooms/:roomId`: where to connect, and the short-lived token to connect with. */
export interface JoinRoomResponse {
  roomId: string
  name: string
  ownerId: string
  /**
   * The session server's public address: `host:port` (connect with `ws://` or `wss://` as the
   * page is served) or a full `ws://` / `wss://` URL, possibly with a path, to use as given.
   * Either way the client appends `?token=…&v=…[&since=…]`.
   */
  host: string
  token: string
  /** Who finds the room, and its description (the owner changes both, `PATCH /api/rooms/:roomId`). */
  visibility: RoomVisibility
  description: string
}
export interface HistoryResponse {
  messages: ChatMessage[]
  hasMore: boolean
}
export interface ErrorResponse {
  error: { code: string; message: string }
}
