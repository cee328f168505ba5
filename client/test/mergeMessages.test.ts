import type { ChatMessage } from '@scalable-chat/backend-contract'
import { describe, expect, it } from 'vitest'
import { mergeMessages } from '../src/room/connection/mergeMessages.js'

function message(seq: number, text = `m${seq}`): ChatMessage {
  return {
    seq,
    id: `id-${seq}`,
    userId: 'u1',
    username: 'ana',
    text,
    clientId: `c-${seq}`,
    createdAt: new Date(Date.UTC(2026, 0, 1, 12, 0, seq)).toISOString(),
  }
}
const seqs = (messages: ChatMessage[]) => messages.map((m) => m.seq)

describe('mergeMessages', () => {
  it('appends newer messages', () => {
    expect(seqs(mergeMessages([message(1), message(2)], [message(3), message(4)]))).toEqual([1, 2, 3, 4])
  })

  it('prepends older history', () => {
    expect(seqs(mergeMessages([message(5), message(6)], [message(3), message(4)]))).toEqual([3, 4, 5, 6])
  })

  it('keeps each seq once when pages overlap, and keeps the copy already held', () => {
    const held = message(3, 'held')
    const merged = mergeMessages([held, message(4)], [message(2), message(3, 'again'), message(4)])
    expect(seqs(merged)).toEqual([2, 3, 4])
    expect(merged[1]).toBe(held)
  })

  it('sorts messages that arrive out of order', () => {
    expect(seqs(mergeMessages([message(2)], [message(5), message(1), message(3)]))).toEqual([1, 2, 3, 5])
  })

  it('does NOT duplicate a message delivered twice in one batch', () => {
    expect(seqs(mergeMessages([], [message(1), message(1), message(2)]))).toEqual([1, 2])
  })

  it('returns a new array and leaves its inputs unchanged', () => {
    const existing = [message(1)]
    const merged = mergeMessages(existing, [])
    expect(merged).not.toBe(existing)
    expect(seqs(existing)).toEqual([1])
  })
})
