import { describe, expect, it } from 'vitest'
import { relativeTime } from '../src/components/relativeTime.js'

const now = Date.UTC(2026, 5, 15, 12, 0, 0)
const ago = (ms: number) => new Date(now - ms).toISOString()

describe('relativeTime', () => {
  it('says "just now" under a minute, and for a time slightly in the future', () => {
    expect(relativeTime(ago(10_000), now, 'en')).toBe('just now')
    expect(relativeTime(ago(-5_000), now, 'en')).toBe('just now')
  })
  it('counts minutes, hours and days', () => {
    expect(relativeTime(ago(5 * 60_000), now, 'en')).toBe('5 minutes ago')
    expect(relativeTime(ago(3 * 3_600_000), now, 'en')).toBe('3 hours ago')
    expect(relativeTime(ago(86_400_000), now, 'en')).toBe('yesterday')
    expect(relativeTime(ago(3 * 86_400_000), now, 'en')).toBe('3 days ago')
  })
  it('returns an empty string for an invalid date', () => {
    expect(relativeTime('not a date', now, 'en')).toBe('')
  })
})
