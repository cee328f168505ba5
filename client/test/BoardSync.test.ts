import type { ClientMessage, SnapshotEvent } from '@scalable-chat/protocol'
import { DEFAULT_LIMITS } from '@scalable-chat/protocol/codes'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { BoardSync } from '../src/room/connection/BoardSync.js'

function harness(live = true) {
  const sent: ClientMessage[] = []
  const link = { live }
  let refs = 0
  const board = new BoardSync({ transmit: (frame) => link.live && sent.push(frame) > 0, createRef: () => `r${++refs}` })
  const snapshot = (shapes: SnapshotEvent['board']['shapes'] = [], version = 0) =>
    board.snapshot({
      type: 'snapshot',
      room: { id: 'room', name: 'Room', ownerId: 'u1' },
      you: { userId: 'u1', username: 'ana' },
      members: [],
      messages: [],
      resumed: false,
      board: { version, shapes },
      cursors: [],
      limits: { ...DEFAULT_LIMITS },
    } as unknown as SnapshotEvent)
  return { board, sent, link, snapshot }
}

const square = { type: 'rectangle', id: 's1', x: 0, y: 0, width: 10, height: 10, color: '#1e1e24', strokeWidth: 2 } as const

afterEach(() => vi.useRealTimers())

describe('BoardSync', () => {
  it('keeps one edit of a shape in flight: the next goes with the version the answer to the previous brought', () => {
    const { board, sent, snapshot } = harness()
    snapshot()
    board.create(square)
    board.update('s1', { x: 5 })
    board.update('s1', { x: 9 })
    expect(sent.map((f) => f.type)).toEqual(['shape_create'])
    board.frame({ type: 'shape_created', shape: { ...square, author: 'u1', version: 1 }, ref: 'r1' })
    expect(sent.at(-1)).toEqual({ type: 'shape_update', id: 's1', version: 1, changes: { x: 5 }, ref: 'r2' })
    board.frame({ type: 'shape_updated', id: 's1', changes: { x: 5 }, version: 2, by: 'u1', ref: 'r2' })
    expect(sent.at(-1)).toEqual({ type: 'shape_update', id: 's1', version: 2, changes: { x: 9 }, ref: 'r3' })
    expect(board.getState().shapes[0]).toMatchObject({ x: 9 })
  })

  it('sends every unanswered edit again after a reconnect, and keeps quiet when a re-sent one only met itself', () => {
    const { board, sent, link, snapshot } = harness()
    snapshot([{ ...square, author: 'u1', version: 1 }], 1)
    board.update('s1', { x: 5 })
    link.live = false
    board.dropped()
    board.remove('s1')
    expect(sent).toHaveLength(1)
    link.live = true
    snapshot([{ ...square, x: 5, author: 'u1', version: 2 }], 2)
    expect(sent.slice(1)).toEqual([
      { type: 'shape_update', id: 's1', version: 2, changes: { x: 5 }, ref: 'r1' },
      { type: 'shape_delete', id: 's1', ref: 'r2' },
    ])
    expect(board.refused('r1', { code: 'stale_update', message: 'stale' })).toBe(true)
    expect(board.getState().notice).toBeNull()
    expect(board.refused('unknown', { code: 'stale_update', message: 'stale' })).toBe(false)
  })

  it('sends a rate-limited edit again a second later', () => {
    vi.useFakeTimers()
    const { board, sent, snapshot } = harness()
    snapshot()
    board.create(square)
    board.refused('r1', { code: 'rate_limited', message: 'slow down' })
    expect(board.getState().shapes).toHaveLength(1)
    vi.advanceTimersByTime(1000)
    expect(sent.map((f) => f.type)).toEqual(['shape_create', 'shape_create'])
  })

  it('sends the pointer at most once per interval, the latest position last', () => {
    vi.useFakeTimers()
    const { board, sent, snapshot } = harness()
    snapshot()
    for (let x = 0; x < 10; x++) board.moveCursor(x, 1.234)
    expect(sent).toEqual([{ type: 'cursor_move', x: 0, y: 1.2 }])
    vi.advanceTimersByTime(DEFAULT_LIMITS.cursorIntervalMs)
    expect(sent.at(-1)).toEqual({ type: 'cursor_move', x: 9, y: 1.2 })
    vi.advanceTimersByTime(DEFAULT_LIMITS.cursorIntervalMs * 10)
    expect(sent).toHaveLength(2)
  })
})
