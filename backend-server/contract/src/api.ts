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
  REACTION_RULE,
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

/**
 * `POST /api/auth/guest`: enter the room of a link with a display name only (when the backend
 * allows guests, `GET /api/auth/options`). The name follows the username rule and is unique among
 * accounts and guests.
 */
export const GuestRequest = z.strictObject({
  username: Username,
  // Any string up to a room id's length: one that cannot be a room id is a 404, as in the room routes.
  roomId: z.string().max(64),
})
export type GuestRequest = z.infer<typeof GuestRequest>

export const HistoryQuery = z.strictObject({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(HISTORY_PAGE_RULE.maxLimit).default(HISTORY_PAGE_RULE.defaultLimit),
})

/** One emoji: a single RGI emoji sequence (flags, keycaps, skin tones and ZWJ families included). */
export const Emoji = z
  .string()
  .min(1)
  .max(REACTION_RULE.maxEmojiLength)
  .regex(REACTION_RULE.emoji, 'must be one emoji')

/** Who reacted to a message with one emoji, in the order they did. */
export const Reaction = z.object({ emoji: z.string(), userIds: z.array(z.string()) })
export type Reaction = z.infer<typeof Reaction>

/**
 * A chat message as it is now: edits, a deletion and reactions applied. `seq` is its place in the
 * room's log, which also numbers every change (an edit, a deletion, a reaction is an entry of its
 * own), so messages' seqs grow but may skip. The optional fields are absent on a message nobody
 * changed, so the common message stays small on the wire.
 */
export const ChatMessage = z.object({
  seq: z.number().int().positive(),
  id: z.string(),
  userId: z.string(),
  username: z.string(),
  /** Empty once deleted. */
  text: z.string(),
  /** Chosen by the sender; acknowledges the send and makes a retried send idempotent. */
  clientId: z.string(),
  /** ISO 8601. */
  createdAt: z.string(),
  /** ISO 8601: when its author last edited it. */
  editedAt: z.string().optional(),
  /** Deleted by its author: it keeps its place, without its text. */
  deleted: z.literal(true).optional(),
  /** Absent or non-empty; each emoji once, in the order first used. */
  reactions: z.array(Reaction).optional(),
})
export type ChatMessage = z.infer<typeof ChatMessage>

const ChangeFields = {
  /** Its own place in the room's log. */
  seq: z.number().int().positive(),
  id: z.string(),
  /** Who made the change (for an edit or deletion, the message's author). */
  userId: z.string(),
  username: z.string(),
  clientId: z.string(),
  /** ISO 8601. */
  createdAt: z.string(),
  /** The seq of the message it changes. */
  target: z.number().int().positive(),
}
/**
 * One change of a message, as stored in the room's log: applying the changes in seq order to the
 * messages they target gives the messages as they are now (`applyChange`, `./changes`). A deleted
 * message's edits are stored without their text.
 */
export const MessageChange = z.discriminatedUnion('kind', [
  z.object({ ...ChangeFields, kind: z.literal('edit'), text: z.string() }),
  z.object({ ...ChangeFields, kind: z.literal('delete') }),
  z.object({ ...ChangeFields, kind: z.literal('react'), emoji: z.string(), on: z.boolean() }),
])
export type MessageChange = z.infer<typeof MessageChange>

export interface User {
  id: string
  username: string
  /**
   * A guest (`POST /api/auth/guest`): limited to the room it was linked to, until its token
   * expires. Absent for an account.
   */
  guest?: true
}
/** `GET /api/auth/options` (no token): which ways in this backend offers besides an account. */
export interface AuthOptionsResponse {
  /** Whether a signed-out visitor opening a room link may enter as a guest (`ALLOW_GUESTS`). */
  guests: boolean
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
