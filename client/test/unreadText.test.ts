import { describe, expect, it } from 'vitest'
import { UNREAD_RULE } from '@scalable-chat/backend-contract/rules'
import { unreadBadge, unreadText, withKnownRead } from '../src/lobby/unreadText.js'

describe('unreadText', () => {
  it('says how many unread messages and mentions, in words a screen reader reads as they are', () => {
    expect(unreadText(0, 0)).toBeNull()
    expect(unreadText(1, 0)).toBe('1 unread message')
    expect(unreadText(3, 1)).toBe('3 unread messages, 1 mention')
    expect(unreadText(5, 2)).toBe('5 unread messages, 2 mentions')
  })

  it("shows the backend's cap as 99+", () => {
    expect(unreadBadge(UNREAD_RULE.countCap - 1)).toBe('99')
    expect(unreadBadge(UNREAD_RULE.countCap)).toBe('99+')
    expect(unreadText(UNREAD_RULE.countCap, 0)).toBe('99+ unread messages')
  })

  it('shows a room read when this browser knows it was read up to its latest message, not before', () => {
    const room = { unread: 3, mentions: 1, lastMessage: { seq: 40 } }
    expect(withKnownRead(room, 40)).toEqual({ ...room, unread: 0, mentions: 0 })
    expect(withKnownRead(room, 39)).toBe(room)
    expect(withKnownRead({ ...room, lastMessage: null }, 99)).toEqual({ ...room, lastMessage: null })
  })
})
