import type { ChatMessage } from '@scalable-chat/backend-contract'
import { InternalErrorCode, type CommitRequest } from '@scalable-chat/backend-contract/internal'
import type { Database } from './Database.js'
import { toChatMessage, type MessageRow } from './MessageStore.js'
import { toNumber } from './rowValues.js'

export type CommitOutcome =
  | { ok: true; messages: ChatMessage[]; seq: number }
  | { ok: false; code: (typeof InternalErrorCode)[keyof typeof InternalErrorCode]; message: string }

type CommitRow = MessageRow & { outcome: 'ok' | 'not_found' | 'room_moved' | 'seq_conflict'; latest: unknown }

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
export async function commitMessages(db: Database, roomId: string, request: CommitRequest): Promise<CommitOutcome> {
  const { messages } = request
  const rows = await db.query<CommitRow>(
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
