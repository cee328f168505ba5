import { afterEach, describe, expect, it, vi } from 'vitest'
import { ResendPacer } from '../src/room/connection/ResendPacer.js'

afterEach(() => {
  vi.useRealTimers()
})

describe('ResendPacer', () => {
  it('keeps at most `window` re-sends unacknowledged, sending the next as each is acknowledged', () => {
    const sent: string[] = []
    const pacer = new ResendPacer((id) => (sent.push(id), true), 2, 1000)
    pacer.start(['a', 'b', 'c', 'd'])
    expect(sent).toEqual(['a', 'b'])
    pacer.settle('a')
    expect(sent).toEqual(['a', 'b', 'c'])
    pacer.settle('b')
    pacer.settle('c')
    pacer.settle('d')
    expect(sent).toEqual(['a', 'b', 'c', 'd'])
    expect(pacer.busy).toBe(false)
  })

  it('after a rate_limited refusal, pauses and sends the refused ones again first, in their order', () => {
    vi.useFakeTimers()
    const sent: string[] = []
    const pacer = new ResendPacer((id) => (sent.push(id), true), 3, 1000)
    pacer.start(['a', 'b', 'c', 'd'])
    pacer.settle('a')
    expect(pacer.rateLimited('c')).toBe(true)
    expect(pacer.rateLimited('b')).toBe(true)
    pacer.settle('d')
    // Paused: nothing more goes out until the pause is over.
    expect(sent).toEqual(['a', 'b', 'c', 'd'])
    vi.advanceTimersByTime(1000)
    expect(sent).toEqual(['a', 'b', 'c', 'd', 'b', 'c'])
  })

  it('does NOT claim a refusal of a message it did not send, and skips messages no longer pending', () => {
    const sent: string[] = []
    const pacer = new ResendPacer((id) => id !== 'gone' && (sent.push(id), true), 5, 1000)
    pacer.start(['gone', 'a'])
    expect(sent).toEqual(['a'])
    expect(pacer.rateLimited('fresh')).toBe(false)
    pacer.reset()
    expect(pacer.busy).toBe(false)
  })
})
