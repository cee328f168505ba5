/**
 * What storage holds of a room's log, read as a member reads its history
 * (`GET /api/rooms/:roomId/messages`, newest page first), and the storm's check of it against what
 * the senders saw acknowledged.
 */
import type { HistoryResponse } from '@scalable-chat/backend-contract'
import type { Acknowledged } from './tasks.js'

const PAGE = 100

/** Every stored message of the room, oldest first, as `{ seq, clientId }`. */
export async function storedLog(backendUrl: string, roomId: string, userToken: string): Promise<{ seq: number; clientId: string }[]> {
  const messages: { seq: number; clientId: string }[] = []
  let before: number | undefined
  for (;;) {
    const query = `limit=${PAGE}${before === undefined ? '' : `&before=${before}`}`
    const response = await fetch(`${backendUrl}/api/rooms/${encodeURIComponent(roomId)}/messages?${query}`, {
      headers: { authorization: `Bearer ${userToken}` },
    })
    if (!response.ok) throw new Error(`history of ${roomId}: HTTP ${response.status} ${await response.text()}`)
    const page = (await response.json()) as HistoryResponse
    messages.unshift(...page.messages.map(({ seq, clientId }) => ({ seq, clientId })))
    const oldest = page.messages[0]
    if (!page.hasMore || oldest === undefined) return messages
    before = oldest.seq
  }
}

/**
 * What is wrong with a room's stored log: a seq missing or repeated (the bench writes only
 * messages, so they must run 1, 2, 3… with no gap), a clientId stored twice, an acknowledged
 * message missing or stored at another seq than the one its sender was told.
 */
export function logProblems(roomId: string, stored: readonly { seq: number; clientId: string }[], acknowledged: readonly Acknowledged[]): string[] {
  const problems: string[] = []
  const seqOf = new Map<string, number>()
  stored.forEach(({ seq, clientId }, i) => {
    if (seq !== i + 1) problems.push(`${roomId}: stored message ${i + 1} has seq ${seq} (a gap or a repeat)`)
    if (seqOf.has(clientId)) problems.push(`${roomId}: ${clientId} stored twice (seqs ${seqOf.get(clientId)} and ${seq})`)
    else seqOf.set(clientId, seq)
  })
  for (const ack of acknowledged) {
    const seq = seqOf.get(ack.clientId)
    if (seq === undefined) problems.push(`${roomId}: ${ack.clientId} was acknowledged (seq ${ack.seq}) and is not stored`)
    else if (seq !== ack.seq) problems.push(`${roomId}: ${ack.clientId} was acknowledged as seq ${ack.seq}, stored as ${seq}`)
  }
  return problems
}
