import { describe, expect, it } from 'vitest'
import { backoffDelay, RECONNECT_MAX_DELAY_MS } from '../src/room/connection/backoffDelay.js'

describe('backoffDelay', () => {
  it('starts between 250 and 500 ms on the first attempt', () => {
    expect(backoffDelay(1, { random: () => 0 })).toBe(250)
    expect(backoffDelay(1, { random: () => 1 })).toBe(500)
  })

  it('doubles with each attempt', () => {
    const ceilings = [1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, { random: () => 1 }))
    expect(ceilings).toEqual([500, 1000, 2000, 4000, 8000])
  })

  it('never waits more than the cap, however many attempts failed', () => {
    for (const attempt of [6, 10, 50, 1000]) {
      expect(backoffDelay(attempt, { random: () => 1 })).toBe(RECONNECT_MAX_DELAY_MS)
      expect(backoffDelay(attempt, { random: () => 0 })).toBe(RECONNECT_MAX_DELAY_MS / 2)
    }
  })

  it('spreads clients apart with jitter in the upper half of the window', () => {
    expect(backoffDelay(3, { random: () => 0.5 })).toBe(1500)
  })
})
