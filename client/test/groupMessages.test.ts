import { describe, expect, it } from 'vitest'
import { GROUP_GAP_MS, groupMessages } from '../src/room/groupMessages.js'

const start = Date.UTC(2026, 0, 1, 12, 0, 0)
function message(userId: string, offsetMs: number) {
  return { userId, username: userId.toUpperCase(), createdAt: new Date(start + offsetMs).toISOString() }
}

describe('groupMessages', () => {
  it('puts consecutive messages of one author in one group', () => {
    const groups = groupMessages([message('ana', 0), message('ana', 1000), message('ana', 2000)])
    expect(groups).toHaveLength(1)
    expect(groups[0]!.messages).toHaveLength(3)
    expect(groups[0]!.username).toBe('ANA')
  })

  it('starts a new group when the author changes', () => {
    const groups = groupMessages([message('ana', 0), message('bo', 1000), message('ana', 2000)])
    expect(groups.map((g) => g.userId)).toEqual(['ana', 'bo', 'ana'])
  })

  it('starts a new group after a long pause by the same author', () => {
    const groups = groupMessages([message('ana', 0), message('ana', GROUP_GAP_MS + 1)])
    expect(groups).toHaveLength(2)
  })

  it('gives groups distinct keys', () => {
    const groups = groupMessages([message('ana', 0), message('bo', 0), message('ana', GROUP_GAP_MS * 2)])
    expect(new Set(groups.map((g) => g.key)).size).toBe(3)
  })

  it('starts a new group where asked (the first unread message, which "New messages" goes before)', () => {
    const messages = [message('ana', 0), message('ana', 1000), message('ana', 2000)]
    const groups = groupMessages(messages, GROUP_GAP_MS, (m) => m === messages[1])
    expect(groups.map((g) => g.messages.length)).toEqual([1, 2])
  })

  it('returns no groups for no messages', () => {
    expect(groupMessages([])).toEqual([])
  })
})
