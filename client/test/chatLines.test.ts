import { describe, expect, it } from 'vitest'
import { membersLine, offlineLine } from '../cli/chatLines.js'

describe('membersLine', () => {
  it('marks guests "(guest)", before "you" and the status, and leaves accounts unmarked', () => {
    const line = membersLine(
      [
        { userId: 'a', username: 'ana', status: 'online' },
        { userId: 'b', username: 'bo', status: 'away', guest: true },
        { userId: 'c', username: 'cy', status: 'online', guest: true },
      ],
      'c',
    )
    expect(line).toBe('Here (3): ana, bo (guest, away), cy (guest, you)')
  })
})

describe('offlineLine', () => {
  it('marks an offline guest "(guest)", with when it was last seen', () => {
    const now = Date.parse('2026-05-01T10:00:00.000Z')
    const line = offlineLine(
      [
        { userId: 'b', username: 'bo', lastSeenAt: '2026-05-01T09:55:00.000Z', guest: true },
        { userId: 'd', username: 'di', lastSeenAt: null, guest: true },
        { userId: 'e', username: 'ed', lastSeenAt: null },
      ],
      now,
    )
    expect(line).toMatch(/^Offline \(3\): bo \(guest, last seen .+\), di \(guest\), ed$/)
  })
})
