import type { ChatMessage } from '@scalable-chat/backend-contract'
import type { Queryable } from './Database.js'
import { toIso, toNumber } from './rowValues.js'

export interface MessageRow {
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
}

export function toChatMessage(row: MessageRow): ChatMessage {
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
