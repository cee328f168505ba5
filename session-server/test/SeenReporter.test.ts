/** SeenReporter: "last seen" times batched per room to the backend, and flushed on demand (drain). */
import pino from 'pino'
import { describe, expect, it, vi } from 'vitest'
import { SeenReporter } from '../src/room/SeenReporter.js'
import { FakeBackendApi } from './helpers/FakeBackendApi.js'

describe('SeenReporter', () => {
  it('sends one report per room per interval, each member once with their latest time', async () => {
    vi.useFakeTimers()
    const backend = new FakeBackendApi()
    const reporter = new SeenReporter({ backendApi: backend, host: 'h:1', logger: pino({ level: 'silent' }), intervalMs: 1000 })
    reporter.note('room-a', 'u1', '2026-01-01T00:00:00.000Z')
    reporter.note('room-a', 'u1', '2026-01-01T00:00:05.000Z')
    reporter.note('room-a', 'u2', '2026-01-01T00:00:01.000Z')
    reporter.note('room-b', 'u1', '2026-01-01T00:00:02.000Z')
    expect(backend.seenReports).toEqual([])
    await vi.advanceTimersByTimeAsync(1000)
    expect(backend.seenReports).toEqual([
      { roomId: 'room-a', host: 'h:1', seen: [{ userId: 'u1', at: '2026-01-01T00:00:05.000Z' }, { userId: 'u2', at: '2026-01-01T00:00:01.000Z' }] },
      { roomId: 'room-b', host: 'h:1', seen: [{ userId: 'u1', at: '2026-01-01T00:00:02.000Z' }] },
    ])
    vi.useRealTimers()
  })

  it('sends what is noted at once when flushed (the drain), and nothing twice', async () => {
    const backend = new FakeBackendApi()
    const reporter = new SeenReporter({ backendApi: backend, host: 'h:1', logger: pino({ level: 'silent' }), intervalMs: 60_000 })
    reporter.note('room-a', 'u1', '2026-01-01T00:00:00.000Z')
    await reporter.flush()
    await reporter.flush()
    expect(backend.seenReports).toHaveLength(1)
  })
})
