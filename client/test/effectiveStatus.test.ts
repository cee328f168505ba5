import { describe, expect, it } from 'vitest'
import { effectiveStatus } from '../src/room/effectiveStatus.js'

describe('effectiveStatus', () => {
  it('is what the user chose while they are active', () => {
    expect(effectiveStatus('online', false)).toBe('online')
    expect(effectiveStatus('dnd', false)).toBe('dnd')
  })
  it('turns online into away while idle or hidden', () => {
    expect(effectiveStatus('online', true)).toBe('away')
  })
  it('does NOT override "do not disturb" or a chosen "away"', () => {
    expect(effectiveStatus('dnd', true)).toBe('dnd')
    expect(effectiveStatus('away', false)).toBe('away')
  })
})
