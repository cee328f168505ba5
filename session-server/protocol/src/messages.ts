/**
 * Every frame of the wire protocol, as zod schemas with the TypeScript types derived from them.
 * One discriminated union per direction. The server parses each incoming frame exactly once, at
 * the socket, with `ClientMessage`; what it sends is checked at compile time with `satisfies`.
 * The prose spec of the handshake and every message is session-server/PROTOCOL.md.
 */
import { z } from 'zod'
import { ChatMessage } from '@scalable-chat/backend-contract'
import { ErrorCode, HandshakeParam, MEMBER_STATUSES } from './codes.js'

// The backend owns the stored message record (it serves it over HTTP too); the protocol re-uses it.
export { ChatMessage }

/** A client-chosen id for a sent message: it acknowledges the send and de-duplicates a retry. */
export const ClientId = z.string().min(1).max(64).regex(/^[\w-]+$/, 'letters, digits, _ and - only')
export const MemberStatus = z.enum(MEMBER_STATUSES)
export type MemberStatus = z.infer<typeof MemberStatus>

// Handshake ---------------------------------------------------------------------------------

/**
 * The query of the WebSocket upgrade (`handshakeUrl` builds it), parsed by the server before it
 * accepts: a missing token is refused with HTTP 401, a malformed `since` with 400. `v` is checked
 * after the upgrade (a browser cannot read a refused upgrade's status, but it reads a close code).
 */
export const HandshakeQuery = z.object({
  [HandshakeParam.TOKEN]: z.string().min(1),
  [HandshakeParam.VERSION]: z.string().optional(),
  [HandshakeParam.SINCE]: z
    .string()
    .regex(/^\d{1,15}$/, 'since must be a non-negative whole number')
    .transform(Number)
    .optional(),
})
export type HandshakeQuery = z.infer<typeof HandshakeQuery>

// Client → server ---------------------------------------------------------------------------

/**
 * @example { "type": "send", "clientId": "k3J9x-1", "text": "hello" }
 * Text is trimmed and checked against the room's length limit by the server, not here, so that
 * the two errors (`empty_message`, `message_too_long`) can be told apart.
 */
export const SendMessage = z.strictObject({
  type: z.literal('send'),
  clientId: ClientId,
  text: z.string(),
})
/** @example { "type": "typing", "typing": true } */
export const TypingMessage = z.strictObject({ type: z.literal('typing'), typing: z.boolean() })
/** @example { "type": "status", "status": "away" } */
export const StatusMessage = z.strictObject({ type: z.literal('status'), status: MemberStatus })

export const ClientMessage = z.discriminatedUnion('type', [SendMessage, TypingMessage, StatusMessage])
export type ClientMessage = z.infer<typeof ClientMessage>
export type SendMessage = z.infer<typeof SendMessage>
export const CLIENT_MESSAGE_TYPES = ['send', 'typing', 'status'] as const satisfies ClientMessage['type'][]

// Shared shapes -----------------------------------------------------------------------------

export const Member = z.object({ userId: z.string(), username: z.string(), status: MemberStatus })
export type Member = z.infer<typeof Member>

export const RoomInfo = z.object({ id: z.string(), name: z.string(), ownerId: z.string() })
export type RoomInfo = z.infer<typeof RoomInfo>

// Server → client ---------------------------------------------------------------------------

/**
 * The first frame on every connection. With `resumed: true` the messages are exactly those after
 * the `since` the client sent; with `resumed: false` they are the latest page and replace the
 * client's view (first connect, or a client too far behind to catch up from memory).
 */
export const SnapshotEvent = z.object({
  type: z.literal('snapshot'),
  protocol: z.number().int(),
  room: RoomInfo,
  you: z.object({ userId: z.string(), username: z.string() }),
  members: z.array(Member),
  messages: z.array(ChatMessage),
  /** The latest seq in the room (0 when it has no messages). */
  seq: z.number().int().nonnegative(),
  resumed: z.boolean(),
  /** This server's limits, which a client paces itself by (it never copies the server's numbers). */
  limits: z.object({
    maxMessageLength: z.number().int(),
    /** Messages per user per minute. */
    messagesPerMinute: z.number().int(),
    /** Messages per user within `burstWindowMs`. */
    messageBurst: z.number().int(),
    burstWindowMs: z.number().int(),
    /** A typing indicator the typist does not repeat within this long ends by itself. */
    typingTimeoutMs: z.number().int(),
  }),
})
/** A new message; to its sender it is also the acknowledgement of `clientId`. */
export const MessageEvent = z.object({ type: z.literal('message'), message: ChatMessage })
export const UserJoinedEvent = z.object({ type: z.literal('user_joined'), member: Member })
export const UserLeftEvent = z.object({ type: z.literal('user_left'), userId: z.string() })
export const TypingEvent = z.object({
  type: z.literal('typing'),
  userId: z.string(),
  username: z.string(),
  typing: z.boolean(),
})
export const StatusEvent = z.object({ type: z.literal('status'), userId: z.string(), status: MemberStatus })
export const RoomDeletedEvent = z.object({ type: z.literal('room_deleted') })
/** A frame was refused; nothing changed. `clientId` names the refused send, when there was one. */
export const ErrorEvent = z.object({
  type: z.literal('error'),
  code: z.enum(ErrorCode),
  message: z.string(),
  clientId: z.string().optional(),
})

export const ServerMessage = z.discriminatedUnion('type', [
  SnapshotEvent,
  MessageEvent,
  UserJoinedEvent,
  UserLeftEvent,
  TypingEvent,
  StatusEvent,
  RoomDeletedEvent,
  ErrorEvent,
])
export type ServerMessage = z.infer<typeof ServerMessage>
export type SnapshotEvent = z.infer<typeof SnapshotEvent>
export type RoomLimits = SnapshotEvent['limits']
export type ErrorEvent = z.infer<typeof ErrorEvent>
