import type { ChatMessage } from '../contract.js'
import type { NewMessage } from '../internalContract.js'
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

/** Message queries. Construct it on a transaction's `Queryable` to run them inside that transaction. */
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

  /** The latest stored seq of the room, 0 when it has no messages. */
  async latestSeq(roomId: string): Promise<number> {
    const rows = await this.db.query<{ seq: unknown }>(
      'SELECT coalesce(max(seq), 0) AS seq FROM messages WHERE room_id = $1',
      [roomId],
    )
    return toNumber(rows[0]?.seq ?? 0)
  }

  /** The stored messages among the given `(userId, clientId)` pairs. */
  async findByClientIds(
    roomId: string,
    pairs: readonly { userId: string; clientId: string }[],
  ): Promise<ChatMessage[]> {
    const rows = await this.db.query<MessageRow>(
      `SELECT ${COLUMNS} FROM messages
       WHERE room_id = $1
         AND (user_id, client_id) IN (SELECT * FROM unnest($2::uuid[], $3::text[]))`,
      [roomId, pairs.map((p) => p.userId), pairs.map((p) => p.clientId)],
    )
    return rows.map(toChatMessage)
  }

  /** Inserts the messages with seqs `afterSeq + 1, …` in the given order, in one statement. */
  async insertBatch(
    roomId: string,
    afterSeq: number,
    messages: readonly NewMessage[],
  ): Promise<ChatMessage[]> {
    const rows = await this.db.query<MessageRow>(
      `INSERT INTO messages (room_id, seq, id, user_id, username, client_id, text, created_at)
       SELECT $1, $2::bigint + m.ord, m.id, m.user_id, m.username, m.client_id, m.text, m.created_at
       FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
         WITH ORDINALITY AS m (id, user_id, username, client_id, text, created_at, ord)
       ORDER BY m.ord
       RETURNING ${COLUMNS}`,
      [
        roomId,
        afterSeq,
        messages.map((m) => m.id),
        messages.map((m) => m.userId),
        messages.map((m) => m.username),
        messages.map((m) => m.clientId),
        messages.map((m) => m.text),
        messages.map((m) => m.createdAt),
      ],
    )
    return rows.map(toChatMessage).sort((a, b) => a.seq - b.seq)
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
