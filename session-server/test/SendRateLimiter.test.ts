import { afterEach, describe, expect, it, vi } from 'vitest'
import { BURST_WINDOW_MS, SendRateLimiter } from '../src/connection/SendRateLimiter.js'

afterEach(() => {
  vi.useRealTimers()
})

async function consume(limiter: SendRateLimiter, userId: string, count: number): Promise<boolean[]> {
  const results: boolean[] = []
  for (let i = 0; i < count; i++) results.push(await limiter.tryConsume(userId))
  return results
}

describe('SendRateLimiter#limits', () => {
  it('are what a snapshot announces: the configured numbers and the burst window', () => {
    expect(new SendRateLimiter({ messagesPerMinute: 30, messageBurst: 5 }).limits).toEqual({
      messagesPerMinute: 30,
      messageBurst: 5,
      burstWindowMs: BURST_WINDOW_MS,
    })
  })
})

describe('SendRateLimiter#tryConsume', () => {
  it('allows `burst` messages, refuses the next, and allows again after the burst window', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const limiter = new SendRateLimiter({ messagesPerMinute: 100, messageBurst: 3 })
    expect(await consume(limiter, 'ana', 4)).toEqual([true, true, true, false])
    vi.advanceTimersByTime(BURST_WINDOW_MS + 1)
    expect(await limiter.tryConsume('ana')).toBe(true)
  })

  it('refuses beyond perMinute even when each burst fits, until the minute is over', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const limiter = new SendRateLimiter({ messagesPerMinute: 4, messageBurst: 3 })
    expect(await consume(limiter, 'ana', 3)).toEqual([true, true, true])
    vi.advanceTimersByTime(BURST_WINDOW_MS + 1)
    expect(await consume(limiter, 'ana', 2)).toEqual([true, false])
    vi.advanceTimersByTime(60_000)
    expect(await limiter.tryConsume('ana')).toBe(true)
  })

  it('keeps users apart: one user over the limit does NOT limit another', async () => {
    const limiter = new SendRateLimiter({ messagesPerMinute: 100, messageBurst: 2 })
    expect(await consume(limiter, 'ana', 3)).toEqual([true, true, false])
    expect(await consume(limiter, 'bo', 2)).toEqual([true, true])
  })
})
