/**
 * The durability check shared by the crash and chaos tests: once the room's chatters stopped
 * sending and every pending message settled, storage holds each sent message exactly once with
 * seqs 1..N, every acknowledged message is among them, and every chatter's view is that history.
 */
import type { ChatMessage } from '@scalable-chat/backend-contract'
import { expect } from 'vitest'
import type { ApiClient } from '../../src/api/createApiClient.js'
import type { Chatter } from './Chatter.js'

/** Every stored message of the room, oldest first, through the public history API. */
export async function storedHistory(api: ApiClient, roomId: string): Promise<ChatMessage[]> {
  const pages: ChatMessage[][] = []
  let before: number | undefined
  for (;;) {
    const page = await api.history(roomId, before, 100)
    pages.unshift(page.messages)
    if (!page.hasMore || page.messages.length === 0) break
    before = page.messages[0]!.seq
  }
  return pages.flat()
}

/** Resolves once every chatter is live with nothing pending; returns the room's stored history after checking it. */
export async function expectRoomIntact(roomId: string, chatters: Chatter[]): Promise<ChatMessage[]> {
  await Promise.all(chatters.map((c) => c.until((s) => s.status.kind === 'live' && s.pending.length === 0)))
  const stored = await storedHistory(chatters[0]!.api, roomId)

  // Gapless, each seq once.
  expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1))
  // Every message sent is stored exactly once (a re-send after a crash did not duplicate it)…
  const storedKeys = stored.map((m) => `${m.userId}/${m.clientId}`)
  expect(new Set(storedKeys).size).toBe(stored.length)
  const sentKeys = chatters.flatMap((c) => c.sent.map((clientId) => `${c.userId}/${clientId}`))
  expect([...storedKeys].sort()).toEqual([...sentKeys].sort())
  // …and so, in particular, is every message a user saw acknowledged.
  for (const chatter of chatters) {
    for (const clientId of chatter.acknowledged) expect(storedKeys).toContain(`${chatter.userId}/${clientId}`)
  }
  // Every view converges on exactly that history (it may lag by a broadcast in flight; wait for it).
  const last = stored.at(-1)?.seq ?? 0
  for (const chatter of chatters) {
    await chatter.until((s) => (s.messages.at(-1)?.seq ?? 0) >= last)
    const view = await chatter.loadAllHistory()
    expect(view.map((m) => [m.seq, m.userId, m.clientId])).toEqual(stored.map((m) => [m.seq, m.userId, m.clientId]))
  }
  return stored
}

/** The p-th percentile (nearest rank) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
}
