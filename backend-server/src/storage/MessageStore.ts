import type { ChatMessage } from '@scalable-chat/backend-contract'
import { InternalErrorCode, type CommitRequest } from '@scalable-chat/backend-contract/internal'
import type { Queryable } from './Database.js'
import { toIso, toNumber } from './rowValues.js'

interface MessageRow {
  seq: unknown
  id: string
  user_id: string
  username: string
  client_id: string
  text: string
  created_at: unknown
}

const COLUMNS = 'seq, id, user_id, username, client_id, text, created_at'

export type CommitOutcome =
  | { ok: true; messages: ChatMessage[]; seq: number }
  | { ok: false; code: (typeof InternalErrorCode)[keyof typeof InternalErrorCode]; message: string }

type CommitRow = MessageRow & { outcome: 'ok' | 'not_found' | 'room_moved' | 'seq_conflict'; latest: unknown }

/** The room logs: history pages, and the group commits of the rooms' session servers. */
export class MessageStore {
  constructor(private readonly db: Queryable) {}

  /**
   * One page of history in ascending seq order: the `limit` messages just before `before`, or the
   * latest `limit` without it. `hasMore` says whether older messages exist.
   */
  async page(
    roomId: string,
    { before, limit }: { before?: number | undefined; limit: number },
  ): Promise<{ messages: ChatMessage[]; hasMore: boolean }> {
    // One extra row tells whether there is an older page without a count(*).
    const rows = await this.db.query<MessageRow>(
      `SELECT ${COLUMNS} FROM messages
       WHERE room_id = $1 AND ($2::bigint IS NULL OR seq < $2::bigint)
       ORDER BY seq DESC LIMIT $3`,
      [roomId, before ?? null, limit + 1],
    )
    const hasMore = rows.length > limit
    return { messages: rows.slice(0, limit).reverse().map(toChatMessage), hasMore }
  }

  /**
   * One group commit from a room's session server, in one transaction and one round trip (the
   * `commit_messages` function, migration 003). This is the durability point: a message is
   * acknowledged to users only after this returns.
   *
   * 1. Lock the placement row. Commits to one room take turns, and the fencing check below cannot
   *    race a re-placement.
   * 2. Fencing: only the host the room is placed on now, under the current epoch, may write.
   * 3. Idempotency: messages whose `(userId, clientId)` is already stored are answered with the
   *    stored original (a retry after a lost response); a pair repeated within the batch is
   *    stored once.
   * 4. The new messages get `afterSeq + 1…` in request order, but only if `afterSeq` is the latest
   *    seq: otherwise the session server's view of the room is wrong and it must reload.
   *
   * One call rather than five statements: each statement was a round trip (to Postgres over the
   * network, or into PGlite's WebAssembly) parsed and planned afresh, 1.4 ms a commit on PGlite.
   */
  async commit(roomId: string, request: CommitRequest): Promise<CommitOutcome> {
    const { messages } = request
    const rows = await this.db.query<CommitRow>(
      'SELECT * FROM commit_messages($1, $2, $3, $4, $5::uuid[], $6::uuid[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])',
      [
        roomId,
        request.host,
        request.epoch,
        request.afterSeq,
        messages.map((m) => m.id),
        messages.map((m) => m.userId),
        messages.map((m) => m.username),
        messages.map((m) => m.clientId),
        messages.map((m) => m.text),
        messages.map((m) => m.createdAt),
      ],
    )
    const first = rows[0]
    switch (first?.outcome) {
      case 'ok':
        return { ok: true, messages: rows.map(toChatMessage), seq: toNumber(first.latest) }
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
        throw new Error(`commit_messages answered ${rows.length} rows, the first with outcome ${String(first?.outcome)}`)
    }
  }
}

function toChatMessage(row: MessageRow): ChatMessage {
  return {
    seq: toNumber(row.seq),
    id: row.id,
    userId: row.user_id,
    username: row.username,
    clientId: row.client_id,
    text: row.text,
    createdAt: toIso(row.created_at),
  }
}
