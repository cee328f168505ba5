import type { Shape } from '@scalable-chat/backend-contract'
import { describe, expect, it } from 'vitest'
import { initialBoardState, reduceBoard, type BoardEvent, type BoardState, type PendingEdit } from '../src/room/connection/boardReducer.js'

const rect = (id: string, version: number, x = 0): Shape => ({ type: 'rectangle', id, x, y: 0, width: 10, height: 10, color: '#1e1e24', strokeWidth: 2, author: 'u1', version })
const snapshot = (shapes: Shape[], version = shapes.length): BoardEvent => ({ type: 'snapshot', board: { version, shapes }, cursors: [], you: 'u1' })
const pending = (ref: string, edit: PendingEdit['edit']): BoardEvent => ({ type: 'edit_made', edit: { ref, edit, sent: true, resent: false } })
const fold = (events: BoardEvent[], state: BoardState = initialBoardState()) => events.reduce(reduceBoard, state)

describe('reduceBoard', () => {
  it('draws an own edit at once, and keeps it drawn when the server answers it', () => {
    const { version: _v, author: _a, ...input } = rect('a', 1)
    const drawn = fold([snapshot([]), pending('r1', { type: 'shape_create', shape: input })])
    expect(drawn.shapes).toEqual([{ ...input, author: 'u1', version: 0 }])
    const answered = reduceBoard(drawn, { type: 'shape_created', shape: rect('a', 1), ref: 'r1' })
    expect(answered.pending).toEqual([])
    expect(answered.shapes).toEqual([rect('a', 1)])
    expect(answered.version).toBe(1)
  })

  it('undoes an own edit on screen when it is refused, and says why', () => {
    const state = fold([snapshot([rect('a', 1)]), pending('r1', { type: 'shape_update', id: 'a', version: 1, changes: { x: 50 } })])
    expect(state.shapes[0]).toMatchObject({ x: 50 })
    const refused = reduceBoard(state, { type: 'edit_refused', ref: 'r1', notice: { code: 'stale_update', message: 'stale' } })
    expect(refused.shapes).toEqual([rect('a', 1)])
    expect(refused.notice?.code).toBe('stale_update')
  })

  it('applies others’ deltas under own pending edits, and a snapshot replaces the board but keeps them', () => {
    let state = fold([snapshot([rect('a', 1), rect('b', 2)]), pending('r1', { type: 'shape_delete', id: 'b' })])
    expect(state.shapes.map((s) => s.id)).toEqual(['a'])
    state = reduceBoard(state, { type: 'shape_updated', id: 'a', changes: { x: 7 }, version: 3, by: 'u2' })
    expect(state.shapes).toEqual([rect('a', 3, 7)])
    state = reduceBoard(state, { type: 'dropped' })
    expect(state.pending).toEqual([expect.objectContaining({ ref: 'r1', sent: false, resent: true })])
    state = reduceBoard(state, snapshot([rect('a', 3, 7), rect('b', 2), rect('c', 4)], 4))
    expect(state.shapes.map((s) => s.id)).toEqual(['a', 'c'])
    expect(state.confirmed.size).toBe(3)
  })

  it('keeps the others’ pointers, never this user’s own, and forgets the ones that went', () => {
    let state = reduceBoard(initialBoardState(), { ...(snapshot([]) as Extract<BoardEvent, { type: 'snapshot' }>), cursors: [{ userId: 'u1', x: 1, y: 1 }, { userId: 'u2', x: 2, y: 2 }] })
    expect([...state.cursors.keys()]).toEqual(['u2'])
    state = reduceBoard(state, { type: 'cursors', moved: [{ userId: 'u3', x: 3, y: 3 }, { userId: 'u1', x: 9, y: 9 }], gone: ['u2'] })
    expect([...state.cursors]).toEqual([['u3', { x: 3, y: 3 }]])
    expect(reduceBoard(state, { type: 'dropped' }).cursors.size).toBe(0)
  })
})
