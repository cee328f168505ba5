import { describe, expect, it } from 'vitest'
import { ConnectRate } from '../src/connection/ConnectRate.js'

describe('ConnectRate', () => {
  it('lets `perWindow` connects of a user through within the window, and refuses the next', () => {
    const rate = new ConnectRate(3, 60_000)
    expect([0, 1, 2, 3].map((i) => rate.tryConsume('u', 1000 + i))).toEqual([true, true, true, false])
  })

  it('counts each user apart', () => {
    const rate = new ConnectRate(1, 60_000)
    expect(rate.tryConsume('a', 0)).toBe(true)
    expect(rate.tryConsume('b', 0)).toBe(true)
    expect(rate.tryConsume('a', 1)).toBe(false)
  })

  it('opens a new window once the first one ended, and does NOT extend a window by refused connects', () => {
    const rate = new ConnectRate(1, 60_000)
    expect(rate.tryConsume('u', 0)).toBe(true)
    expect(rate.tryConsume('u', 59_999)).toBe(false)
    expect(rate.tryConsume('u', 60_000)).toBe(true)
  })

  it('forgets users whose window ended (no timer per user: a sweep at most once a window)', () => {
    const rate = new ConnectRate(5, 60_000)
    for (let i = 0; i < 100; i++) rate.tryConsume(`user${i}`, 0)
    expect(rate.size).toBe(100)
    rate.tryConsume('later', 60_000)
    expect(rate.size).toBe(1)
  })
})
