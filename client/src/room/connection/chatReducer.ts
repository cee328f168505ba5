/**
 * What the room screen shows, and the one function that changes it: `reduceChat(state, event)`,
 * pure, with no socket, timer or network, so it is tested on its own. Every change arrives as a
 * `ChatEvent`: the server's frames as they were sent, and what happened locally (a send queued or
 * refused, history loaded, the connection's status). `ChatConnection` folds the events into this
 * state for the web client, and hands the same events to the terminal client, which prints them.
 */
import type { ChatMessage, MessageChange, RoomVisibility, ShapeType } from '@scalable-chat/backend-contract'
import { applyChange, indexOfSeq } from '@scalable-chat/backend-contract/changes'
import { DEFAULT_LIMITS } from '@scalable-chat/protocol/codes'
import type { Member, MemberStatus, OfflineMember, RoomInfo, RoomLimits, ServerMessage } from '@scalable-chat/protocol'
import type { ConnectionStatus } from './connectionStatus.js'
import { mergeMessages } from './mergeMessages.js'

/** Why the server refused something: its machine-readable code and its own words (the views choose theirs). */
export interface Refusal {
  code: string
  message: string
}

/** Who finds the room and its description, as the backend said at the latest join (or change). */
export interface RoomSettings {
  visibility: RoomVisibility
  description: string
}

/** A message sent by this user that the server has not acknowledged yet, or refused. */
export interface PendingMessage {
  clientId: string
  text: string
  createdAt: string
  state: 'sending' | 'failed'
  /** Why it failed. */
  error?: Refusal
}

/**
 * An edit, deletion or reaction of this user's that the server has not acknowledged yet: the view
 * shows it at once (`withPendingChanges`), and it goes again after a reconnect like a message.
 */
export type PendingChange = { clientId: string; target: number; createdAt: string } & (
  | { kind: 'edit'; text: string }
  | { kind: 'delete' }
  | { kind: 'react'; emoji: string; on: boolean }
)

export interface TypingUser {
  userId: string
  username: string
}

export interface HistoryState {
  hasMore: boolean
  loading: boolean
  error: string | null
}

export interface ChatState {
  status: ConnectionStatus
  /** Known from the join answer before the first snapshot arrives. */
  room: RoomInfo | null
  you: { userId: string; username: string } | null
  members: Member[]
  /** Members not connected, the most recently seen first. */
  offline: OfflineMember[]
  /** In seq order, each seq once, as they are now (every change received applied). */
  messages: ChatMessage[]
  pending: PendingMessage[]
  /** This user's changes waiting for their acknowledgement, in the order made. */
  pendingChanges: PendingChange[]
  /** The latest seq of the room's log this view has seen (a message's or a change's): what a reconnect resumes from. */
  seq: number | null
  /** The others who are typing (never this user). */
  typing: TypingUser[]
  /** The server's limits, from its snapshot. */
  limits: RoomLimits
  history: HistoryState
  /** The latest message from someone else that arrived live: what a screen reader announces. */
  lastIncoming: ChatMessage | null
  /** A refusal not tied to a send (rate limit…), until dismissed. */
  notice: Refusal | null
  /** The status this user asked for; re-announced after every reconnect. */
  ownStatus: MemberStatus
  /** Null until the first join answered. */
  settings: RoomSettings | null
  /** How far this user has read the room, as far as this tab knows (here, or on another tab or device). */
  readSeq: number
  /**
   * Where "New messages" goes: after this seq, as the user's read position was when this tab opened
   * the room (null before the first snapshot). It stays while they read here, and moves only for
   * what they read elsewhere.
   */
  unreadAfter: number | null
}

/** What the room said: the server's frames that change the view, as sent. */
export type RoomEvent = Extract<ServerMessage, { type: 'snapshot' | 'message' | 'change' | 'user_joined' | 'typing' | 'status' | 'room_updated' | 'read' }>

export type ChatEvent =
  | RoomEvent
  /**
   * The server's `user_left`, with the member as the client knew them; `lastSeenAt` unless they left
   * the room altogether.
   */
  | { type: 'member_left'; member: Member; lastSeenAt?: string | undefined }
  | { type: 'connection'; status: ConnectionStatus }
  /** The backend answered the join: the room's name, before the snapshot. */
  | { type: 'joined'; room: RoomInfo; settings: RoomSettings }
  /** The owner changed who finds the room or its description (here: the answer to their change). */
  | { type: 'settings'; settings: RoomSettings }
  | { type: 'send_queued'; message: PendingMessage }
  | { type: 'send_retried'; clientId: string }
  | { type: 'send_discarded'; clientId: string }
  | { type: 'send_failed'; clientId: string; error: Refusal }
  | { type: 'change_queued'; change: PendingChange }
  /** The server refused a change: it is dropped, and the refusal shown as a notice. */
  | { type: 'change_failed'; clientId: string; error: Refusal }
  /** A refusal that names no send of this user; `null` dismisses the one shown. */
  | { type: 'notice'; notice: Refusal | null }
  | { type: 'own_status'; status: MemberStatus }
  /** This tab told the room the user has seen it up to `seq` (the server's `read` is another tab's). */
  | { type: 'marked_read'; seq: number }
  | { type: 'history_loading' }
  | { type: 'history_loaded'; messages: ChatMessage[]; hasMore: boolean }
  | { type: 'history_failed'; error: string }
  /**
   * Someone changed the room's whiteboard. The chat keeps no board state (the board view has its
   * own); this is for what only tells that it changed, as the terminal client does.
   */
  | { type: 'board_changed'; by: string; change: 'created' | 'updated' | 'deleted'; shapeType?: ShapeType }

export function initialChatState(): ChatState {
  return {
    status: { kind: 'connecting', attempt: 0 },
    room: null,
    you: null,
    members: [],
    offline: [],
    messages: [],
    pending: [],
    pendingChanges: [],
    seq: null,
    typing: [],
    limits: { ...DEFAULT_LIMITS },
    history: { hasMore: false, loading: false, error: null },
    lastIncoming: null,
    notice: null,
    ownStatus: 'online',
    settings: null,
    readSeq: 0,
    unreadAfter: null,
  }
}

/**
 * The state after `event`. Returns a new object whenever anything changed (React compares by
 * reference), and the same one when nothing did.
 *
 * @example reduceChat(state, { type: 'user_left', userId: 'u2' }).members
 */
export function reduceChat(state: ChatState, event: ChatEvent): ChatState {
  switch (event.type) {
    case 'connection':
      // Typing is ephemeral: whoever was typing when the link dropped says so again once back.
      return { ...state, status: event.status, typing: event.status.kind === 'live' ? state.typing : [] }
    case 'joined':
      return { ...state, room: state.room ?? event.room, settings: event.settings }
    case 'settings':
      return { ...state, settings: event.settings }
    case 'room_updated':
      return { ...state, room: event.room }
    case 'snapshot':
      return snapshot(state, event)
    case 'message':
      return message(state, event.message)
    case 'change':
      return change(state, event.change)
    case 'change_queued':
      return { ...state, pendingChanges: [...state.pendingChanges, event.change] }
    case 'change_failed':
      return { ...state, pendingChanges: state.pendingChanges.filter((c) => c.clientId !== event.clientId), notice: event.error }
    case 'user_joined':
      return {
        ...state,
        members: [...state.members.filter((m) => m.userId !== event.member.userId), event.member],
        offline: state.offline.filter((m) => m.userId !== event.member.userId),
      }
    case 'member_left': {
      const { userId, username } = event.member
      const others = state.offline.filter((m) => m.userId !== userId)
      return {
        ...state,
        members: state.members.filter((m) => m.userId !== userId),
        offline: event.lastSeenAt === undefined ? others : [{ userId, username, lastSeenAt: event.lastSeenAt }, ...others],
        typing: state.typing.filter((t) => t.userId !== userId),
      }
    }
    case 'status':
      return { ...state, members: state.members.map((m) => (m.userId === event.userId ? { ...m, status: event.status } : m)) }
    case 'typing':
      return typing(state, event.userId, event.username, event.typing)
    case 'send_queued':
      return { ...state, pending: [...state.pending, event.message] }
    case 'send_retried':
      return updatePending(state, event.clientId, (p) => ({ ...p, state: 'sending', error: undefined }))
    case 'send_discarded':
      return { ...state, pending: state.pending.filter((p) => p.clientId !== event.clientId || p.state !== 'failed') }
    case 'send_failed':
      return updatePending(state, event.clientId, (p) => ({ ...p, state: 'failed', error: event.error }))
    case 'notice':
      return state.notice === event.notice ? state : { ...state, notice: event.notice }
    case 'own_status':
      return { ...state, ownStatus: event.status }
    case 'marked_read':
      return event.seq > state.readSeq ? { ...state, readSeq: event.seq } : state
    case 'read':
      // Read on another tab or device: what they saw there is not new here either.
      if (event.seq <= state.readSeq && event.seq <= (state.unreadAfter ?? 0)) return state
      return { ...state, readSeq: Math.max(state.readSeq, event.seq), unreadAfter: Math.max(state.unreadAfter ?? 0, event.seq) }
    case 'history_loading':
      return { ...state, history: { ...state.history, loading: true, error: null } }
    case 'history_loaded':
      // A copy already held wins: it has every change since it arrived, the page may be older.
      return { ...state, messages: mergeMessages(state.messages, event.messages), history: { hasMore: event.hasMore, loading: false, error: null } }
    case 'history_failed':
      return { ...state, history: { ...state.history, loading: false, error: event.error } }
    case 'board_changed':
      return state
    default:
      return event satisfies never
  }
}

/**
 * The room is live, as it is now. Resumed: the missed messages join the view. Not resumed: they
 * replace it (the client was too far behind, or never connected). Pending messages the snapshot
 * shows stored are acknowledged.
 */
function snapshot(state: ChatState, event: Extract<ChatEvent, { type: 'snapshot' }>): ChatState {
  const resumed = event.resumed
  const messages = applyChanges(mergeMessages(resumed ? state.messages : [], event.messages), event.changes)
  const startsLater = (messages[0]?.seq ?? 1) > 1
  const hasMore = resumed && state.messages.length > 0 ? state.history.hasMore : startsLater
  const acknowledged = new Set(messages.filter((m) => m.userId === event.you.userId).map((m) => m.clientId))
  return {
    ...state,
    status: { kind: 'live' },
    room: event.room,
    you: event.you,
    members: event.members,
    offline: event.offline,
    messages,
    pending: state.pending.filter((p) => !acknowledged.has(p.clientId)),
    pendingChanges: withoutAcknowledged(state.pendingChanges, event.changes, event.you.userId),
    seq: event.seq,
    typing: [],
    limits: event.limits,
    history: { hasMore, loading: false, error: null },
    readSeq: Math.max(state.readSeq, event.you.readSeq),
    // Where the unread part started when this tab opened the room; a reconnect does not move it.
    unreadAfter: state.unreadAfter ?? event.you.readSeq,
  }
}

function message(state: ChatState, message: ChatMessage): ChatState {
  const own = message.userId === state.you?.userId
  // To its sender, a stored message is the acknowledgement of its clientId.
  const pending = own ? state.pending.filter((p) => p.clientId !== message.clientId) : state.pending
  const latest = state.messages.at(-1)?.seq ?? 0
  if (message.seq <= latest && state.messages.some((m) => m.seq === message.seq)) {
    // Held already (the stored original answering a re-send): only the acknowledgement is news.
    return pending.length === state.pending.length ? state : { ...state, pending }
  }
  return {
    ...state,
    messages: mergeMessages(state.messages, [message]),
    seq: Math.max(state.seq ?? 0, message.seq),
    pending,
    // Whoever sent a message has stopped typing it.
    typing: state.typing.filter((t) => t.userId !== message.userId),
    lastIncoming: own ? state.lastIncoming : message,
  }
}

function change(state: ChatState, change: MessageChange): ChatState {
  const pendingChanges = withoutAcknowledged(state.pendingChanges, [change], state.you?.userId)
  const messages = applyChanges(state.messages, [change])
  const seq = Math.max(state.seq ?? 0, change.seq)
  if (messages === state.messages && pendingChanges === state.pendingChanges && seq === state.seq) return state
  return { ...state, messages, pendingChanges, seq }
}

/** `messages` with `changes` applied to those they target; the same array when none applies. */
function applyChanges(messages: ChatMessage[], changes: readonly MessageChange[]): ChatMessage[] {
  let result = messages
  for (const change of changes) {
    const index = indexOfSeq(result, change.target)
    if (index < 0) continue
    const updated = applyChange(result[index]!, change)
    if (updated === result[index]) continue
    if (result === messages) result = messages.slice()
    result[index] = updated
  }
  return result
}

/** The pending changes minus those `changes` acknowledge (this user's, by clientId); the same array when none. */
function withoutAcknowledged(pending: PendingChange[], changes: readonly MessageChange[], userId: string | undefined): PendingChange[] {
  if (pending.length === 0) return pending
  const acknowledged = new Set(changes.filter((c) => c.userId === userId).map((c) => c.clientId))
  return acknowledged.size === 0 ? pending : pending.filter((p) => !acknowledged.has(p.clientId))
}

function typing(state: ChatState, userId: string, username: string, isTyping: boolean): ChatState {
  const listed = state.typing.some((t) => t.userId === userId)
  if (isTyping === listed || userId === state.you?.userId) return state
  return { ...state, typing: isTyping ? [...state.typing, { userId, username }] : state.typing.filter((t) => t.userId !== userId) }
}

function updatePending(state: ChatState, clientId: string, change: (p: PendingMessage) => PendingMessage): ChatState {
  if (!state.pending.some((p) => p.clientId === clientId)) return state
  return { ...state, pending: state.pending.map((p) => (p.clientId === clientId ? change(p) : p)) }
}
