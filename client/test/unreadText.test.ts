import { describe, expect, it } from 'vitest'
import { UNREAD_RULE } from '@scalable-chat/backend-contract/rules'
import { unreadBadge, unreadText } from '../src/lobby/unreadText.js'

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
})
