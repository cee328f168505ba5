/**
 * The backend's internal HTTP API, used by session servers only (`/internal/...`), authenticated
 * with `Authorization: Bearer <SERVICE_TOKEN>`; a user token there gets 401. Also the claims of
 * the room token the backend mints and session servers verify.
 *
 * Fencing: every write names the `host` and placement `epoch` the session server loaded the room
 * with. The backend accepts it only while the room is still placed there under that epoch, and
 * answers 409 `room_moved` otherwise, so a stale server after fail-over can never write.
 */
import { z } from 'zod'
import { ChatMessage, Emoji, MessageChange, RoomIdParam } from '../api.js'
import { Board } from '../board.js'
import { BOARD_RULE, CHANGE_REFUSAL, USERNAME_RULE } from '../rules.js'

/**
 * The longest message text storage takes. Each session server enforces its own, smaller
 * `MAX_MESSAGE_LENGTH` (at most this) and announces it to its clients in the snapshot.
 */
export const MAX_STORED_TEXT_LENGTH = 10_000
/** The most messages one group commit may carry. */
export const MAX_COMMIT_MESSAGES = 500
/** How many of its latest messages a room comes with when a session server loads it. */
export const ROOM_LOAD_MESSAGES = 100
/** The most changes (edits, deletions, reactions) a room comes with: the newest, after its oldest loaded message. */
export const ROOM_LOAD_CHANGES = 1000

/**
 * The largest body of a legal group commit, so the backend can refuse anything bigger before
 * reading it: `MAX_COMMIT_MESSAGES` messages whose text is `MAX_STORED_TEXT_LENGTH` UTF-16 units
 * of up to 3 UTF-8 bytes each (a lone surrogate is replaced by U+FFFD, 3 bytes; a character outside
 * the BMP is 2 units and 4 bytes; a `"` or `\n` escapes to 2), plus 512 bytes for the other fields
 * (ASCII: the kind, an id, a userId of 64, a clientId of 64, a username of 32, a timestamp, a
 * target seq and the keys; a reaction's emoji of 32 units replaces the text),
 * plus the envelope.
 * ≈ 15.3 MB; `contract.test.ts` serializes the worst case to prove it fits.
 */
export const MAX_COMMIT_BODY_BYTES = MAX_COMMIT_MESSAGES * (MAX_STORED_TEXT_LENGTH * 3 + 512) + 1024
/**
 * The largest body of a board save: the shapes within `BOARD_RULE.maxBoardBytes` (the session
 * server keeps a board under it), the deleted ids (64 ASCII characters, quotes and a comma each),
 * plus the envelope.
 */
export const MAX_BOARD_BODY_BYTES = BOARD_RULE.maxBoardBytes + BOARD_RULE.maxDeletedIds * 67 + 1024
/** Every other `/internal` body (register, heartbeat, release, deregister): a few small fields. */
export const MAX_INTERNAL_BODY_BYTES = 8 * 1024

/**
 * A session server's public address, as clients connect to it and as it names itself to the
 * backend: `host:port` (a bare host is fine), or a full `ws://` / `wss://` URL, possibly with a
 * path, so that one TLS ingress can route to every server of a fleet
 * (`wss://sessions.example.com/s/session-3`). No query, no fragment: clients append the query.
 * It is also the server's identity in `placements`, room tokens and the fleet table.
 */
export const SessionServerAddress = z
  .string()
  .min(1)
  .max(512)
  .refine(isSessionServerAddress, 'must be host:port or a ws:// or wss:// URL without query or fragment')

function isSessionServerAddress(value: string): boolean {
  if (/^[A-Za-z0-9.\-[\]:]+$/.test(value)) return true
  if (!/^wss?:\/\//i.test(value)) return false
  try {
    const url = new URL(value)
    return url.search === '' && url.hash === '' && url.username === '' && url.password === '' && !value.includes('?') && !value.includes('#')
  } catch {
    return false
  }
}

/** Room token: lets one user connect to one room on one session server, for a few minutes. */
export const RoomTokenClaims = z.object({
  sub: z.string(),
  username: z.string(),
  roomId: RoomIdParam,
  /** The session server's address (see `SessionServerAddress`), compared with its own as given. */
  host: z.string(),
  /**
   * The room's placement epoch when the token was minted: a session server holding the room with an
   * older epoch holds a stale copy (the room moved away and back) and must reload it.
   */
  epoch: z.number().int().nonnegative(),
  /** A guest (`POST /api/auth/guest`): the session server marks its member so (absent for an account). */
  guest: z.boolean().optional(),
  /**
   * The user's read position in the room as stored when the token was minted (the latest seq they
   * saw): the session server starts from it, unless it holds a newer one, and the snapshot tells the
   * tab where its unread part starts. Carried here rather than in the room's load, which lists only
   * some members: the join reads exactly this user's. 0 on a reconnect (`rejoin=1`: the tab knows
   * where it was, and reconnects cost no database statement) and from a backend older than this.
   */
  readSeq: z.number().int().nonnegative().default(0),
})
export type RoomTokenClaims = z.infer<typeof RoomTokenClaims>
/**
 * `GET /internal/room-token-key`: the public key session servers verify room tokens with (a session
 * server fetches it at start, and again when a token names a key id it does not hold).
 */
export const RoomTokenKeyResponse = z.object({ keyId: z.string(), publicKey: z.string() })
export type RoomTokenKeyResponse = z.infer<typeof RoomTokenKeyResponse>

/** JWT audiences keep one kind of token from being accepted as another. */
export const TokenAudience = { USER: 'scalable-chat:user', ROOM: 'scalable-chat:room' } as const

/** Members a room loads with (connected or not): the most recently seen first. */
export const ROOM_LOAD_MEMBERS = 200

/** A member of the room and when they were last connected to it (null: never since this was recorded). */
export const SeenMember = z.object({
  userId: z.string(),
  username: z.string(),
  lastSeenAt: z.iso.datetime().nullable(),
  /** A guest (absent for an account): the member list marks it so. */
  guest: z.literal(true).optional(),
})
export type SeenMember = z.infer<typeof SeenMember>

/** `GET /internal/rooms/:roomId?host=` → the room as the session server needs it to load it. */
export const LoadRoomQuery = z.strictObject({ host: z.string().min(1) })
export const LoadRoomResponse = z.object({
  room: z.object({ id: z.string(), name: z.string(), ownerId: z.string() }),
  epoch: z.number().int().nonnegative(),
  /** The latest seq stored (0 for none): of a message or of a change. */
  seq: z.number().int().nonnegative(),
  /** Up to the latest `ROOM_LOAD_MESSAGES` messages, in seq order, as they are now. */
  messages: z.array(ChatMessage),
  /**
   * The changes stored after `logFrom`, in seq order (up to `ROOM_LOAD_CHANGES`): with `messages`,
   * every entry of the log after `logFrom`, so that a client which saw the room up to any seq from
   * `logFrom` on can be told exactly what it missed.
   */
  changes: z.array(MessageChange).max(ROOM_LOAD_CHANGES),
  logFrom: z.number().int().nonnegative(),
  /** The room's whiteboard as last saved (empty for a room that never drew). */
  board: Board,
  /** Up to `ROOM_LOAD_MEMBERS` of its members, the most recently seen first (an older backend sends none). */
  members: z.array(SeenMember).max(ROOM_LOAD_MEMBERS).default([]),
})
export type LoadRoomResponse = z.infer<typeof LoadRoomResponse>

// As the protocol's ClientId and the username rule: ASCII, so an entry's fields other than its
// text have a known size (MAX_COMMIT_BODY_BYTES).
const EntryFields = {
  id: z.uuid(),
  clientId: z.string().min(1).max(64).regex(/^[\w-]+$/),
  userId: z.string().min(1).max(64),
  username: z.string().min(1).max(USERNAME_RULE.maxLength).regex(USERNAME_RULE.pattern),
  createdAt: z.iso.datetime(),
}
const StoredText = z.string().min(1).max(MAX_STORED_TEXT_LENGTH)
const Target = z.number().int().positive()

/** A message as the session server hands it to storage; the backend assigns `seq`. */
export const NewMessage = z.strictObject({ ...EntryFields, kind: z.literal('message'), text: StoredText })
export type NewMessage = z.infer<typeof NewMessage>

/**
 * An entry of a room's log as the session server hands it to storage: a new message, or a change
 * of the message whose seq is `target`. Storage assigns the seq, and checks what only it can (the
 * target exists and is not deleted, the author edits or deletes, the emoji limit).
 */
export const NewEntry = z.discriminatedUnion('kind', [
  NewMessage,
  z.strictObject({ ...EntryFields, kind: z.literal('edit'), target: Target, text: StoredText }),
  z.strictObject({ ...EntryFields, kind: z.literal('delete'), target: Target }),
  z.strictObject({ ...EntryFields, kind: z.literal('react'), target: Target, emoji: Emoji, on: z.boolean() }),
])
export type NewEntry = z.infer<typeof NewEntry>

/**
 * A message's identity across re-sends, `(userId, clientId)`, as one Map key: storage answers a
 * re-sent message with the original, and a room ignores a re-send of one it is still storing.
 * A userId (a uuid) holds no NUL, so the first NUL ends it and keys cannot collide.
 */
export function clientKey(userId: string, clientId: string): string {
  return `${userId}\u0000${clientId}`
}

/**
 * `POST /internal/rooms/:roomId/messages`: one group commit. Stored atomically, in order, with
 * seqs `afterSeq + 1, …`; an entry whose `(userId, clientId)` is already stored is not stored
 * again and is answered with the original. A change storage refuses (see `CHANGE_REFUSAL`) takes
 * no seq. 409 `seq_conflict` when `afterSeq` is not the latest.
 */
export const CommitRequest = z.strictObject({
  host: z.string().min(1).max(512),
  epoch: z.number().int().nonnegative(),
  afterSeq: z.number().int().nonnegative(),
  entries: z.array(NewEntry).min(1).max(MAX_COMMIT_MESSAGES),
})
export type CommitRequest = z.infer<typeof CommitRequest>

/** What became of one entry of a commit: the stored message or change, or why a change was refused. */
export const CommitResult = z.union([
  z.strictObject({ message: ChatMessage }),
  z.strictObject({ change: MessageChange }),
  z.strictObject({ refused: z.enum(CHANGE_REFUSAL) }),
])
export type CommitResult = z.infer<typeof CommitResult>

/** One result per request entry, in request order. */
export const CommitResponse = z.object({
  results: z.array(CommitResult),
  /** The latest seq stored after this commit. */
  seq: z.number().int().nonnegative(),
})
export type CommitResponse = z.infer<typeof CommitResponse>

/**
 * `PUT /internal/rooms/:roomId/board`: the room's whole board, replacing the stored one, from the
 * session server holding the room (fenced by `host` and `epoch`: 409 `room_moved` otherwise).
 * Saved a short while after the last change and when the room unloads, so a crash loses at most
 * that while of board edits (messages are committed one by one before anyone sees them).
 */
export const SaveBoardRequest = z.strictObject({
  host: z.string().min(1).max(512),
  epoch: z.number().int().nonnegative(),
  board: Board,
})
export type SaveBoardRequest = z.infer<typeof SaveBoardRequest>

/** `POST /internal/rooms/:roomId/release`: the room emptied and was unloaded; frees its slot. */
export const ReleaseRequest = z.strictObject({ host: z.string().min(1).max(512), epoch: z.number().int().nonnegative() })

/**
 * `POST /internal/servers/register`: a session server (re)started with nothing in memory; the
 * backend releases the placements it still had on that host so they are placed afresh, and adds
 * it to the fleet (live, empty, not draining).
 */
export const RegisterRequest = z.strictObject({
  host: SessionServerAddress,
  /**
   * Where the backend reaches this server (`/healthz`, room deletion) when that differs from the
   * public address, e.g. a pod's cluster DNS name behind a public ingress. Default: derived from `host`.
   */
  internalUrl: z.url({ protocol: /^https?$/ }).max(2048).optional(),
})
export type RegisterRequest = z.infer<typeof RegisterRequest>

/**
 * `POST /internal/servers/heartbeat`, every few seconds: the server's load. A server that misses
 * heartbeats for `FLEET_HEARTBEAT_TIMEOUT_MS` counts as dead, and `SCHEDULER=fleet` moves its
 * rooms. A heartbeat from an unknown server adds it (the backend's table is not the server's
 * memory: it must not be told to forget rooms it still holds).
 */
export const HeartbeatRequest = RegisterRequest.extend({
  rooms: z.number().int().nonnegative(),
  /** Distinct users connected, summed over its rooms (FleetScheduler's tie-break). */
  members: z.number().int().nonnegative(),
  /** Shutting down: gets no new rooms; keeps the ones it has until it releases them. */
  draining: z.boolean(),
})
export type HeartbeatRequest = z.infer<typeof HeartbeatRequest>

/** `POST /internal/servers/deregister`: the server drained and stops; its remaining placements are released. */
export const DeregisterRequest = z.strictObject({ host: SessionServerAddress })

/**
 * `POST /internal/rooms/:roomId/seen`: members whose last connection to the room closed, and when;
 * what the room's member list shows as "last seen". Best effort, batched by the session server.
 */
export const MAX_SEEN_ENTRIES = 500
export const SeenRequest = z.strictObject({
  host: z.string().min(1).max(512),
  seen: z.array(z.strictObject({ userId: z.uuid(), at: z.iso.datetime() })).min(1).max(MAX_SEEN_ENTRIES),
})
export type SeenRequest = z.infer<typeof SeenRequest>
/** A uuid and an ISO time in JSON, with room to spare. */
export const MAX_SEEN_BODY_BYTES = MAX_SEEN_ENTRIES * 96 + 1024

/**
 * `POST /internal/rooms/:roomId/read`: how far members have read the room (the latest seq each
 * saw), batched by the session server holding the room and fenced like a board save (409
 * `room_moved` from any other host or epoch). Stored only forward and never past the room's latest
 * seq, so a late or repeated batch changes nothing.
 */
export const MAX_READ_ENTRIES = 500
export const ReadRequest = z.strictObject({
  host: z.string().min(1).max(512),
  epoch: z.number().int().nonnegative(),
  reads: z.array(z.strictObject({ userId: z.uuid(), seq: z.number().int().nonnegative() })).min(1).max(MAX_READ_ENTRIES),
})
export type ReadRequest = z.infer<typeof ReadRequest>
/** A uuid and a seq in JSON, with room to spare, plus the host and epoch. */
export const MAX_READ_BODY_BYTES = MAX_READ_ENTRIES * 80 + 1024

/**
 * The session server's side: `GET /internal/rooms/online?ids=<id>,<id>…` (service token, at most
 * `MAX_ONLINE_QUERY_ROOMS` ids) answers how many people are connected to each room it holds; a
 * room it does not hold is absent (nobody is connected to it there).
 */
export const MAX_ONLINE_QUERY_ROOMS = 100
export const OnlineCountsResponse = z.object({ online: z.record(z.string(), z.number().int().nonnegative()) })
export type OnlineCountsResponse = z.infer<typeof OnlineCountsResponse>

/** Error codes of the internal API that a session server acts on. */
export const InternalErrorCode = {
  ROOM_MOVED: 'room_moved',
  SEQ_CONFLICT: 'seq_conflict',
  NOT_FOUND: 'not_found',
} as const
