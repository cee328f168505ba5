import { REACTION_RULE, type ChatMessage, type MessageChange, type Reaction } from '@scalable-chat/backend-contract'
import {
  InternalErrorCode,
  ROOM_LOAD_CHANGES,
  ROOM_LOAD_MESSAGES,
  type CommitRequest,
  type CommitResult,
  type LoadRoomResponse,
  type NewEntry,
} from '@scalable-chat/backend-contract/internal'
import type { Queryable } from './Database.js'
import { toIso, toNumber } from './rowValues.js'

/** A row of `messages`, the room log: a message (as it is now) or a change of one. */
interface EntryRow {
  seq: unknown
  kind?: string | null
  id: string
  user_id: string
  username: string
  client_id: string
  text: string
  created_at: unknown
  target?: unknown
  emoji?: string | null
  reaction_on?: boolean | null
  edited_at?: unknown
  deleted_at?: unknown
  /** A message's reactions, aggregated as JSON by the history query. */
  reactions?: Array<{ emoji: string; userIds: string[] }> | null
}

const ENTRY_COLUMNS = 'seq, kind, id, user_id, username, client_id, text, created_at, target, emoji, reaction_on, edited_at, deleted_at'

export type CommitOutcome =
  | { ok: true; results: CommitResult[]; seq: number }
  | { ok: false; code: (typeof InternalErrorCode)[keyof typeof InternalErrorCode]; message: string }

type CommitRow = EntryRow & { outcome: 'ok' | 'refused' | 'latest' | 'not_found' | 'room_moved' | 'seq_conflict'; latest: unknown; refusal?: string | null }

/** The room logs: history pages, what a loading room needs, and the group commits of the rooms' session servers. */
export class MessageStore {
  constructor(private readonly db: Queryable) {}

  /**
   * One page of history in ascending seq order, each message as it is now (edits, deletion and
   * reactions applied): the `limit` messages just before `before`, or the latest `limit` without
   * it. `hasMore` says whether older messages exist.
   */
  async page(
    roomId: string,
    { before, limit }: { before?: number | undefined; limit: number },
  ): Promise<{ messages: ChatMessage[]; hasMore: boolean }> {
    // One extra row tells whether there is an older page without a count(*). Reactions come
    // aggregated per message, each emoji in the order first used, its people in the order they came.
    const rows = await this.db.query<EntryRow>(
      `SELECT m.seq, m.id, m.user_id, m.username, m.client_id, m.text, m.created_at, m.edited_at, m.deleted_at, r.reactions
       FROM messages m
       LEFT JOIN LATERAL (
         SELECT json_agg(json_build_object('emoji', g.emoji, 'userIds', g.user_ids) ORDER BY g.first) AS reactions
         FROM (
           SELECT x.emoji, array_agg(x.user_id ORDER BY x.seq) AS user_ids, min(x.seq) AS first
           FROM reactions x WHERE x.room_id = m.room_id AND x.target = m.seq GROUP BY x.emoji
         ) g
       ) r ON true
       WHERE m.room_id = $1 AND m.kind = 'message' AND ($2::bigint IS NULL OR m.seq < $2::bigint)
       ORDER BY m.seq DESC LIMIT $3`,
      [roomId, before ?? null, limit + 1],
    )
    const hasMore = rows.length > limit
    return { messages: rows.slice(0, limit).reverse().map(toChatMessage), hasMore }
  }

  /**
   * The log as a session server loads the room with it: the latest messages as they are now, and
   * the changes after the oldest of them, so that together they are every entry after `logFrom`.
   */
  async loadLog(roomId: string): Promise<Pick<LoadRoomResponse, 'seq' | 'messages' | 'changes' | 'logFrom'>> {
    const { messages, hasMore } = await this.page(roomId, { limit: ROOM_LOAD_MESSAGES })
    let logFrom = hasMore ? messages[0]!.seq - 1 : 0
    const rows = await this.db.query<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM messages
       WHERE room_id = $1 AND kind <> 'message' AND seq > $2 ORDER BY seq DESC LIMIT $3`,
      [roomId, logFrom, ROOM_LOAD_CHANGES + 1],
    )
    const changes = rows.slice(0, ROOM_LOAD_CHANGES).reverse().map(toChange)
    // More changes than a load carries: the log is complete from the oldest one carried on.
    if (rows.length > ROOM_LOAD_CHANGES) logFrom = Math.max(logFrom, changes[0]!.seq - 1)
    // The latest entry is the newest message or the newest change (both after logFrom, both held).
    const seq = Math.max(messages.at(-1)?.seq ?? 0, changes.at(-1)?.seq ?? 0)
    return { seq, messages, changes, logFrom }
  }

  /**
   * One group commit from a room's session server, in one transaction and one round trip. This
   * is the durability point: an entry is acknowledged to users only after this returns.
   *
   * 1. Lock the placement row. Commits to one room take turns, and the fencing check below cannot
   *    race a re-placement.
   * 2. Fencing: only the host the room is placed on now, under the current epoch, may write.
   * 3. Idempotency: entries whose `(userId, clientId)` is already stored are answered with the
   *    stored original (a retry after a lost response); a pair repeated within the batch is
   *    stored once.
   * 4. The new entries get `afterSeq + 1…` in request order, but only if `afterSeq` is the latest
   *    seq: otherwise the session server's view of the room is wrong and it must reload.
   * 5. A change is checked against the message it targets (exists, not deleted, its author for
   *    an edit or deletion, the emoji limit), applied to it, and refused without a seq otherwise.
   *
   * A batch of messages alone, the common case, goes to `commit_new_messages` and, off its path,
   * to `commit_messages` (migrations 013 and 003, set-based; see `commitMessages`); any other to `commit_entries` (migration 009), which takes entries one by one
   * because a change depends on the ones before it. One call rather than many statements: each
   * statement was a round trip (to Postgres over the network, or into PGlite's WebAssembly)
   * parsed and planned afresh, 1.4 ms a commit on PGlite.
   */
  async commit(roomId: string, request: CommitRequest): Promise<CommitOutcome> {
    const { entries } = request
    const common = [
      roomId,
      request.host,
      request.epoch,
      request.afterSeq,
      entries.map((e) => e.id),
      entries.map((e) => e.userId),
      entries.map((e) => e.username),
      entries.map((e) => e.clientId),
      entries.map(textOf),
      entries.map((e) => e.createdAt),
    ]
    const rows = entries.every((e) => e.kind === 'message')
      ? await this.commitMessages(common)
      : await this.db.query<CommitRow>(
          `SELECT * FROM commit_entries($1, $2, $3, $4, $11::text[], $5::uuid[], $6::uuid[], $7::text[], $8::text[], $9::text[],
             $10::timestamptz[], $12::bigint[], $13::text[], $14::boolean[], $15)`,
          [
            ...common,
            entries.map((e) => e.kind),
            entries.map((e) => (e.kind === 'message' ? null : e.target)),
            entries.map((e) => (e.kind === 'react' ? e.emoji : null)),
            entries.map((e) => (e.kind === 'react' ? e.on : null)),
            REACTION_RULE.maxPerMessage,
          ],
          { prepared: true },
        )
    const first = rows[0]
    switch (first?.outcome) {
      case 'ok':
      case 'refused':
      case 'latest':
        return commitResults(rows)
      case 'not_found':
        return { ok: false, code: InternalErrorCode.NOT_FOUND, message: 'room not found' }
      case 'room_moved':
        return { ok: false, code: InternalErrorCode.ROOM_MOVED, message: 'the room is placed elsewhere now' }
      case 'seq_conflict':
        return {
          ok: false,
          code: InternalErrorCode.SEQ_CONFLICT,
          message: `afterSeq is ${request.afterSeq} but the latest stored seq is ${toNumber(first.latest)}`,
        }
      default:
        throw new Error(`the commit answered ${rows.length} rows, the first with outcome ${String(first?.outcome)}`)
    }
  }

  /**
   * A batch of messages alone: `commit_new_messages` (migration 013) stores the common batch in one
   * INSERT and answers nothing for any other (a retry, a stale afterSeq, fencing), which
   * `commit_messages` then answers: a second round trip only off the common path.
   */
  private async commitMessages(params: unknown[]): Promise<CommitRow[]> {
    const args = '$1, $2, $3, $4, $5::uuid[], $6::uuid[], $7::text[], $8::text[], $9::text[], $10::timestamptz[]'
    const stored = await this.db.query<CommitRow>(`SELECT * FROM commit_new_messages(${args})`, params, { prepared: true })
    return stored.length > 0 ? stored : this.db.query<CommitRow>(`SELECT * FROM commit_messages(${args})`, params, { prepared: true })
  }
}

function textOf(entry: NewEntry): string | null {
  return entry.kind === 'message' || entry.kind === 'edit' ? entry.text : null
}

/**
 * The rows of either commit function as one result per request entry: `commit_messages` answers
 * every row with the latest seq; `commit_entries` answers a last row `latest` for it.
 */
function commitResults(rows: CommitRow[]): CommitOutcome {
  const results: CommitResult[] = []
  let seq = 0
  for (const row of rows) {
    if (row.latest !== null && row.latest !== undefined) seq = Math.max(seq, toNumber(row.latest))
    if (row.outcome === 'refused') results.push({ refused: row.refusal as Extract<CommitResult, { refused: unknown }>['refused'] })
    else if (row.outcome === 'ok') results.push(row.kind === undefined || row.kind === null || row.kind === 'message' ? { message: toChatMessage(row) } : { change: toChange(row) })
  }
  return { ok: true, results, seq }
}

function toChatMessage(row: EntryRow): ChatMessage {
  const message: ChatMessage = {
    seq: toNumber(row.seq),
    id: row.id,
    userId: row.user_id,
    username: row.username,
    clientId: row.client_id,
    text: row.text,
    createdAt: toIso(row.created_at),
  }
  if (row.deleted_at != null) message.deleted = true
  else if (row.edited_at != null) message.editedAt = toIso(row.edited_at)
  const reactions = row.reactions?.map((r): Reaction => ({ emoji: r.emoji, userIds: r.userIds }))
  if (reactions && reactions.length > 0) message.reactions = reactions
  return message
}

function toChange(row: EntryRow): MessageChange {
  const fields = {
    seq: toNumber(row.seq),
    id: row.id,
    userId: row.user_id,
    username: row.username,
    clientId: row.client_id,
    createdAt: toIso(row.created_at),
    target: toNumber(row.target),
  }
  switch (row.kind) {
    case 'edit':
      return { ...fields, kind: 'edit', text: row.text }
    case 'delete':
      return { ...fields, kind: 'delete' }
    case 'react':
      return { ...fields, kind: 'react', emoji: row.emoji ?? '', on: row.reaction_on === true }
    default:
      throw new Error(`log entry ${fields.seq} has kind ${String(row.kind)}, not a change`)
  }
}
