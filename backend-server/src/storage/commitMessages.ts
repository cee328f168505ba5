import type { ChatMessage } from '../contract.js'
import { clientKey, InternalErrorCode, type CommitRequest } from '../internalContract.js'
import type { Database } from './Database.js'
import { MessageStore } from './MessageStore.js'
import { PlacementStore } from './PlacementStore.js'
import { RoomStore } from './RoomStore.js'

export type CommitOutcome =
  | { ok: true; messages: ChatMessage[]; seq: number }
  | { ok: false; code: (typeof InternalErrorCode)[keyof typeof InternalErrorCode]; message: string }

/**
 * One group commit from a room's session server, all in one transaction. This is the durability
 * point: a message is acknowledged to users only after this returns.
 *
 * 1. Lock the placement row. Commits to one room take turns, and the fencing check below cannot
 *    race a re-placement.
 * 2. Fencing: only the host the room is placed on now, under the current epoch, may write.
 * 3. Idempotency: messages whose `(userId, clientId)` is already stored are answered with the
 *    stored original (a retry after a lost response); a pair repeated within the batch is
 *    stored once.
 * 4. The new messages get `afterSeq + 1…` in request order, but only if `afterSeq` is the latest
 *    seq: otherwise the session server's view of the room is wrong and it must reload.
 */
export async function commitMessages(db: Database, roomId: string, request: CommitRequest): Promise<CommitOutcome> {
  return db.transaction(async (tx) => {
    const placements = new PlacementStore(tx)
    const messages = new MessageStore(tx)

    const placement = await placements.getForUpdate(roomId)
    if (!placement) return { ok: false, code: InternalErrorCode.NOT_FOUND, message: 'room not found' }
    if (placement.host !== request.host || placement.epoch !== request.epoch) {
      return { ok: false, code: InternalErrorCode.ROOM_MOVED, message: 'the room is placed elsewhere now' }
    }

    const stored = new Map<string, ChatMessage>()
    for (const message of await messages.findByClientIds(roomId, request.messages)) stored.set(clientKey(message.userId, message.clientId), message)

    const fresh = new Map<string, (typeof request.messages)[number]>()
    for (const message of request.messages) {
      const key = clientKey(message.userId, message.clientId)
      if (!stored.has(key) && !fresh.has(key)) fresh.set(key, message)
    }

    let seq = await messages.latestSeq(roomId)
    if (fresh.size > 0) {
      if (seq !== request.afterSeq) {
        return {
          ok: false,
          code: InternalErrorCode.SEQ_CONFLICT,
          message: `afterSeq is ${request.afterSeq} but the latest stored seq is ${seq}`,
        }
      }
      const inserted = await messages.insertBatch(roomId, request.afterSeq, [...fresh.values()])
      for (const message of inserted) stored.set(clientKey(message.userId, message.clientId), message)
      seq = request.afterSeq + inserted.length
      await new RoomStore(tx).touch(roomId)
    }

    return { ok: true, messages: request.messages.map((m) => stored.get(clientKey(m.userId, m.clientId))!), seq }
  })
}
