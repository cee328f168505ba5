import { afterEach, describe, expect, it, vi } from 'vitest'
import { READ_INTERVAL_MS, ReadMarker } from '../src/room/connection/ReadMarker.js'

afterEach(() => {
  vi.useRealTimers()
})

function marker(live = () => true) {
  const sent: number[] = []
  const reads = new ReadMarker((seq) => {
    if (!live()) return false
    sent.push(seq)
    return true
  })
  return { reads, sent }
}

describe('ReadMarker', () => {
  it('sends the first position at once, then at most one per interval: the newest of a burst', async () => {
    vi.useFakeTimers()
    const { reads, sent } = marker()
    reads.mark(3)
    reads.mark(4)
    reads.mark(6)
    reads.mark(5)
    expect(sent).toEqual([3])
    await vi.advanceTimersByTimeAsync(READ_INTERVAL_MS)
    expect(sent).toEqual([3, 6])
    await vi.advanceTimersByTimeAsync(READ_INTERVAL_MS * 5)
    expect(sent).toEqual([3, 6])
  })

  it('does not send what the server knows already, and sends what did not go out once the server says what it knows', () => {
    let live = false
    const { reads, sent } = marker(() => live)
    reads.mark(4)
    expect(sent).toEqual([])
    live = true
    reads.known(2)
    expect(sent).toEqual([4])
    reads.known(9)
    reads.mark(8)
    expect(sent).toEqual([4])
  })

  it('sends a position still waiting for its interval when flushed (the room is being left)', () => {
    vi.useFakeTimers()
    const { reads, sent } = marker()
    reads.mark(1)
    reads.mark(2)
    reads.flush()
    reads.dispose()
    expect(sent).toEqual([1, 2])
  })
})
