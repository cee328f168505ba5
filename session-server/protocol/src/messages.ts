/**
 * Every frame of the wire protocol, as zod schemas with the TypeScript types derived from them.
 * One discriminated union per direction. The server parses each incoming frame exactly once, at
 * the socket, with `ClientMessage`; what it sends is checked at compile time with `satisfies`.
 * The prose spec of the handshake and every message is session-server/PROTOCOL.md.
 */
import { z } from 'zod'
import { BOARD_RULE, ChatMessage, Emoji, MessageChange, Shape, ShapeChanges, ShapeId, ShapeInput } from '@scalable-chat/backend-contract'
import { ErrorCode, HandshakeParam, MEMBER_STATUSES } from './codes.js'

// The backend owns the stored records (it stores and serves them); the protocol re-uses them.
export { ChatMessage, MessageChange, Shape, ShapeChanges, ShapeId, ShapeInput }

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
/** The seq of a message in the room's log: what an edit, a deletion or a reaction changes. */
const Target = z.number().int().positive().max(Number.MAX_SAFE_INTEGER)
/**
 * @example { "type": "edit", "clientId": "k3J9x-2", "target": 41, "text": "hello, world" }
 * The author's new text for message `target`, checked like a send's. Acknowledged by the `change`
 * broadcast carrying its clientId; refused with `not_author`, `message_not_found`, `message_deleted`.
 */
export const EditMessage = z.strictObject({ type: z.literal('edit'), clientId: ClientId, target: Target, text: z.string() })
/** @example { "type": "delete", "clientId": "k3J9x-3", "target": 41 } The author deletes message `target`. */
export const DeleteMessage = z.strictObject({ type: z.literal('delete'), clientId: ClientId, target: Target })
/**
 * @example { "type": "react", "clientId": "k3J9x-4", "target": 41, "emoji": "👍", "on": true }
 * Adds (`on`) or takes back this user's `emoji` on message `target`.
 */
export const ReactMessage = z.strictObject({ type: z.literal('react'), clientId: ClientId, target: Target, emoji: Emoji, on: z.boolean() })
/** @example { "type": "typing", "typing": true } */
export const TypingMessage = z.strictObject({ type: z.literal('typing'), typing: z.boolean() })
/** @example { "type": "status", "status": "away" } */
export const StatusMessage = z.strictObject({ type: z.literal('status'), status: MemberStatus })
/**
 * @example { "type": "read", "seq": 41 }
 * The user has seen the room up to `seq` (its newest message was on screen): their read position,
 * which only moves forward (a seq past the room's latest counts as the latest). Their other tabs
 * and devices in the room are told at once; the lobby's unread counts start after it.
 */
export const ReadMessage = z.strictObject({ type: z.literal('read'), seq: z.number().int().nonnegative() })


/** A point on the board, in board coordinates. */
const BoardCoordinate = z.number().min(-BOARD_RULE.maxCoordinate).max(BOARD_RULE.maxCoordinate)
/**
 * Names a board edit, so its sender can tell the answer to it (the broadcast of its change, or an
 * error) from everyone else's. Chosen by the client, like a message's clientId.
 */
const Ref = ClientId.optional()

/** @example { "type": "cursor_move", "x": 120.5, "y": -40 } */
export const CursorMoveMessage = z.strictObject({ type: z.literal('cursor_move'), x: BoardCoordinate, y: BoardCoordinate })
/**
 * @example { "type": "shape_create", "shape": { "id": "s-k3J9x", "type": "rectangle", "x": 0, "y": 0, "width": 80, "height": 40, "color": "#1e40af", "strokeWidth": 2 } }
 * The client chooses the shape's id: a create re-sent after a reconnect is applied once.
 */
export const ShapeCreateMessage = z.strictObject({ type: z.literal('shape_create'), shape: ShapeInput, ref: Ref })
/**
 * @example { "type": "shape_update", "id": "s-k3J9x", "version": 7, "changes": { "x": 10, "y": 20 } }
 * `version` is the shape's version the change was made on: a field changed by anyone since then
 * is not overwritten (see PROTOCOL.md, "The board").
 */
export const ShapeUpdateMessage = z.strictObject({
  type: z.literal('shape_update'),
  id: ShapeId,
  version: z.number().int().nonnegative(),
  changes: ShapeChanges,
  ref: Ref,
})
/** @example { "type": "shape_delete", "id": "s-k3J9x" } */
export const ShapeDeleteMessage = z.strictObject({ type: z.literal('shape_delete'), id: ShapeId, ref: Ref })

export const ClientMessage = z.discriminatedUnion('type', [
  SendMessage,
  EditMessage,
  DeleteMessage,
  ReactMessage,
  TypingMessage,
  StatusMessage,
  ReadMessage,
  CursorMoveMessage,
  ShapeCreateMessage,
  ShapeUpdateMessage,
  ShapeDeleteMessage,
])
export type ClientMessage = z.infer<typeof ClientMessage>
export type SendMessage = z.infer<typeof SendMessage>
/** What a user writes into the room's log: a message, or a change of one. Each names itself with a clientId. */
export type LogWrite = Extract<ClientMessage, { type: 'send' | 'edit' | 'delete' | 'react' }>
export const CLIENT_MESSAGE_TYPES = [
  'send',
  'edit',
  'delete',
  'react',
  'typing',
  'status',
  'read',
  'cursor_move',
  'shape_create',
  'shape_update',
  'shape_delete',
] as const satisfies ClientMessage['type'][]
/** The board's edits: what changes shapes (a cursor is not an edit). */
export type BoardEdit = Extract<ClientMessage, { type: 'shape_create' | 'shape_update' | 'shape_delete' }>

// Shared shapes -----------------------------------------------------------------------------

/**
 * `guest: true` marks a guest (entered with a name only, limited to this room, until its access
 * ends); absent for a member with an account, so their frames do not grow.
 */
const GuestMark = z.literal(true).optional()
export const Member = z.object({ userId: z.string(), username: z.string(), status: MemberStatus, guest: GuestMark })
/** A member of the room who is not connected: when they last were (null: not since this was recorded). */
export const OfflineMember = z.object({ userId: z.string(), username: z.string(), lastSeenAt: z.string().nullable(), guest: GuestMark })
export type OfflineMember = z.infer<typeof OfflineMember>
export type Member = z.infer<typeof Member>

export const RoomInfo = z.object({ id: z.string(), name: z.string(), ownerId: z.string() })
export type RoomInfo = z.infer<typeof RoomInfo>

/** Another member's pointer on the board. */
export const Cursor = z.object({ userId: z.string(), x: z.number(), y: z.number() })
export type Cursor = z.infer<typeof Cursor>

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
  /** `readSeq`: how far this user had read the room when this connection joined (where "New messages" starts). */
  you: z.object({ userId: z.string(), username: z.string(), readSeq: z.number().int().nonnegative() }),
  members: z.array(Member),
  /** Members not connected, the most recently seen first (up to 200). */
  offline: z.array(OfflineMember),
  messages: z.array(ChatMessage),
  /**
   * Resumed: the changes after `since` (edits, deletions, reactions), in seq order, for the client
   * to apply to the messages it holds (`messages` are as they are now already). Otherwise empty.
   */
  changes: z.array(MessageChange),
  /** The board as it is now, whole, on every snapshot (resumed or not): `version` counts its changes. */
  board: z.object({ version: z.number().int().nonnegative(), shapes: z.array(Shape) }),
  /** Where the other members' pointers are on the board. */
  cursors: z.array(Cursor),
  /** The latest seq in the room's log (0 when it is empty): what the client resumes `since`. */
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
    /** Pointer positions go out once per this interval: sending `cursor_move` more often is wasted. */
    cursorIntervalMs: z.number().int(),
    /** The largest frame the server reads (a long freehand path must fit in one `shape_create`). */
    maxFrameBytes: z.number().int(),
  }),
})
/** A new message; to its sender it is also the acknowledgement of `clientId`. */
export const MessageEvent = z.object({ type: z.literal('message'), message: ChatMessage })
/**
 * A message was edited, deleted or reacted to: `change.target` is its seq, `change.seq` the
 * change's own place in the log. To its author it is also the acknowledgement of `clientId`.
 */
export const ChangeEvent = z.object({ type: z.literal('change'), change: MessageChange })
export const UserJoinedEvent = z.object({ type: z.literal('user_joined'), member: Member })
/**
 * A member's last connection closed: they are offline now, last seen at `lastSeenAt`. Without it,
 * they left the room altogether (no longer a member).
 */
export const UserLeftEvent = z.object({ type: z.literal('user_left'), userId: z.string(), lastSeenAt: z.string().optional() })
export const TypingEvent = z.object({
  type: z.literal('typing'),
  userId: z.string(),
  username: z.string(),
  typing: z.boolean(),
})
export const StatusEvent = z.object({ type: z.literal('status'), userId: z.string(), status: MemberStatus })
/** This user read the room up to `seq` on another of their connections (tab, device): clear its unread part. */
export const ReadEvent = z.object({ type: z.literal('read'), seq: z.number().int().nonnegative() })
export const RoomDeletedEvent = z.object({ type: z.literal('room_deleted') })
/** The room's name or owner changed (the owner left and handed it over): the room as it is now. */
export const RoomUpdatedEvent = z.object({ type: z.literal('room_updated'), room: RoomInfo })
/**
 * A shape was added (to its creator, also the answer to its `shape_create`). Sent to one
 * connection alone when it answers a re-sent create of a shape that already exists.
 */
export const ShapeCreatedEvent = z.object({ type: z.literal('shape_created'), shape: Shape, ref: z.string().optional() })
/** The fields of a shape that changed, and its new version; `by` is who changed it. */
export const ShapeUpdatedEvent = z.object({
  type: z.literal('shape_updated'),
  id: z.string(),
  changes: ShapeChanges,
  version: z.number().int().positive(),
  by: z.string(),
  ref: z.string().optional(),
})
export const ShapeDeletedEvent = z.object({
  type: z.literal('shape_deleted'),
  id: z.string(),
  version: z.number().int().nonnegative(),
  by: z.string(),
  ref: z.string().optional(),
})
/**
 * Pointers that moved since the last batch (the receiver's own included: one frame serves the
 * room) and members whose pointer went (they left, or it idled). At most one a member per
 * `cursorIntervalMs`, and skipped, not queued, for a member whose connection is backing up.
 */
export const CursorsEvent = z.object({ type: z.literal('cursors'), moved: z.array(Cursor), gone: z.array(z.string()) })
/**
 * A frame was refused; nothing changed. `clientId` names the refused send or change, `ref` the refused
 * board edit, when there was one.
 */
export const ErrorEvent = z.object({
  type: z.literal('error'),
  code: z.enum(ErrorCode),
  message: z.string(),
  clientId: z.string().optional(),
  ref: z.string().optional(),
})

export const ServerMessage = z.discriminatedUnion('type', [
  SnapshotEvent,
  MessageEvent,
  ChangeEvent,
  UserJoinedEvent,
  UserLeftEvent,
  TypingEvent,
  StatusEvent,
  ReadEvent,
  RoomDeletedEvent,
  RoomUpdatedEvent,
  ShapeCreatedEvent,
  ShapeUpdatedEvent,
  ShapeDeletedEvent,
  CursorsEvent,
  ErrorEvent,
])
export type ServerMessage = z.infer<typeof ServerMessage>
export type SnapshotEvent = z.infer<typeof SnapshotEvent>
export type RoomLimits = SnapshotEvent['limits']
export type ErrorEvent = z.infer<typeof ErrorEvent>
