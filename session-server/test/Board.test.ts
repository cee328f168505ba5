import { describe, expect, it } from 'vitest'
import { BOARD_RULE, EMPTY_BOARD, type ShapeInput } from '@scalable-chat/backend-contract'
import { ErrorCode } from '@scalable-chat/protocol'
import { Board } from '../src/room/Board.js'

const rect = (id: string, extra: Partial<ShapeInput> = {}): ShapeInput =>
  ({ id, type: 'rectangle', x: 0, y: 0, width: 10, height: 10, color: '#000000', strokeWidth: 2, ...extra }) as ShapeInput

function boardWith(...ids: string[]) {
  const board = new Board(EMPTY_BOARD)
  for (const id of ids) expect(board.create('alice', rect(id))).toMatchObject({ ok: true, fresh: true })
  return board
}

describe('Board: versions', () => {
  it('gives every change the next board version, and each shape the version of its latest change', () => {
    const board = new Board(EMPTY_BOARD)
    const created = board.create('alice', rect('a'))
    expect(created).toEqual({ ok: true, state: 'created', fresh: true, shape: { ...rect('a'), author: 'alice', version: 1 } })
    board.create('bob', rect('b'))
    expect(board.update('a', 1, { x: 5 })).toEqual({ ok: true, changes: { x: 5 }, version: 3 })
    expect(board.delete('b')).toEqual({ ok: true, version: 4, fresh: true })
    expect(board.toStored()).toEqual({ version: 4, shapes: [{ ...rect('a'), x: 5, author: 'alice', version: 3 }], deleted: ['b'] })
  })

  it('starts from the stored board and goes on from its version', () => {
    const board = new Board({ version: 41, shapes: [{ ...rect('a'), author: 'alice', version: 40 } as never], deleted: ['z'] })
    expect(board.update('a', 40, { color: '#ff0000' })).toMatchObject({ ok: true, version: 42 })
    expect(board.create('alice', rect('z'))).toEqual({ ok: true, state: 'deleted', id: 'z', version: 42 })
  })
})

describe('Board: concurrent edits', () => {
  it('never lets an update made on an older version overwrite a newer change of the same fields (first move wins)', () => {
    const board = boardWith('a')
    expect(board.update('a', 1, { x: 100, y: 100 })).toMatchObject({ ok: true, version: 2 })
    const late = board.update('a', 1, { x: 200, y: 200 })
    expect(late).toMatchObject({ ok: false, code: ErrorCode.STALE_UPDATE })
    expect(board.shapes[0]).toMatchObject({ x: 100, y: 100, version: 2 })
  })

  it('merges concurrent changes of different fields: a move and a recolour made on one version both apply', () => {
    const board = boardWith('a')
    board.update('a', 1, { x: 100 })
    expect(board.update('a', 1, { color: '#ff0000', x: 300 })).toEqual({ ok: true, changes: { color: '#ff0000' }, version: 3 })
    expect(board.shapes[0]).toMatchObject({ x: 100, color: '#ff0000', version: 3 })
  })

  it('converges: any two members applying the server order of the same edits end with the same board', () => {
    const server = boardWith('a', 'b')
    const edits = [
      () => server.update('a', 2, { x: 1 }),
      () => server.update('a', 2, { x: 2 }), // stale: made on version 2 too
      () => server.update('b', 2, { text: 'nope' }), // a rectangle has no text
      () => server.delete('b'),
      () => server.update('b', 5, { x: 9 }), // deleted meanwhile
      () => server.update('a', 3, { width: 50, strokeWidth: 8 }),
    ]
    const outcomes = edits.map((edit) => edit())
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.code))).toEqual(['ok', 'stale_update', 'invalid_message', 'ok', 'shape_not_found', 'ok'])
    expect(server.toStored()).toEqual({
      version: 5,
      shapes: [{ ...rect('a'), x: 1, width: 50, strokeWidth: 8, author: 'alice', version: 5 }],
      deleted: ['b'],
    })
  })
})

describe('Board: re-sent edits', () => {
  it('applies a re-sent create once, answering with the shape as it is now; refuses the id of another member’s shape', () => {
    const board = boardWith('a')
    board.update('a', 1, { x: 7 })
    expect(board.create('alice', rect('a'))).toMatchObject({ ok: true, fresh: false, shape: { x: 7, version: 2 } })
    expect(board.create('bob', rect('a'))).toMatchObject({ ok: false, code: ErrorCode.SHAPE_EXISTS })
    expect(board.version).toBe(2)
  })

  it('keeps a deleted shape deleted when its create is re-sent, and takes a second delete as done', () => {
    const board = boardWith('a')
    board.delete('a')
    expect(board.create('alice', rect('a'))).toMatchObject({ ok: true, state: 'deleted' })
    expect(board.delete('a')).toEqual({ ok: true, version: 2, fresh: false })
    expect(board.delete('never')).toMatchObject({ ok: false, code: ErrorCode.SHAPE_NOT_FOUND })
    expect(board.shapeCount).toBe(0)
  })

  it('remembers the latest maxDeletedIds deleted ids, forgetting the oldest', () => {
    const board = new Board({ version: 0, shapes: [], deleted: Array.from({ length: BOARD_RULE.maxDeletedIds }, (_, i) => `old-${i}`) })
    board.create('alice', rect('new'))
    board.delete('new')
    const { deleted } = board.toStored()
    expect(deleted).toHaveLength(BOARD_RULE.maxDeletedIds)
    expect(deleted[0]).toBe('old-1')
    expect(deleted.at(-1)).toBe('new')
  })
})

describe('Board: limits', () => {
  it(`holds at most ${BOARD_RULE.maxShapes} shapes: board_full past it, nothing changed`, () => {
    const board = new Board(EMPTY_BOARD)
    for (let i = 0; i < BOARD_RULE.maxShapes; i++) board.create('alice', rect(`s${i}`))
    expect(board.create('alice', rect('one-more'))).toMatchObject({ ok: false, code: ErrorCode.BOARD_FULL })
    expect(board.shapeCount).toBe(BOARD_RULE.maxShapes)
    expect(board.version).toBe(BOARD_RULE.maxShapes)
  })

  it('holds at most maxBoardBytes of shapes, on create and on an update that grows a shape', () => {
    const board = new Board(EMPTY_BOARD)
    const points = Array.from({ length: BOARD_RULE.maxPathPoints }, (_, i): [number, number] => [i + 0.123456789, -i - 0.987654321])
    const path = (id: string, withPoints: [number, number][]) => ({ id, type: 'path', x: 0, y: 0, color: '#000000', strokeWidth: 1, points: withPoints }) as ShapeInput
    const text = (id: string) => ({ ...rect(id), type: 'text', text: '€'.repeat(BOARD_RULE.maxTextLength) }) as ShapeInput
    board.create('alice', path('short', [[0, 0], [1, 1]]))
    // Filled to within one small rectangle of the limit: long paths, then long texts, then rectangles.
    const fillers: Array<[string, (id: string) => ShapeInput]> = [['path', (id) => path(id, points)], ['text', text], ['rect', (id) => rect(id)]]
    for (const [kind, make] of fillers) {
      for (let i = 0; board.create('alice', make(`${kind}${i}`)).ok; i++);
    }
    expect(board.create('alice', rect('one-more'))).toMatchObject({ ok: false, code: ErrorCode.BOARD_FULL })
    const before = board.toStored()
    expect(Buffer.byteLength(JSON.stringify(before.shapes))).toBeLessThanOrEqual(BOARD_RULE.maxBoardBytes)
    expect(board.update('short', board.version, { points })).toMatchObject({ ok: false, code: ErrorCode.BOARD_FULL })
    expect(board.toStored()).toEqual(before)
  })

  it('refuses an update that would make a shape invalid for its type, and changes nothing', () => {
    const board = boardWith('a')
    board.create('alice', { id: 'l', type: 'line', x: 0, y: 0, color: '#000000', strokeWidth: 1, points: [[0, 0], [5, 5]] })
    expect(board.update('a', 9, { points: [[0, 0], [1, 1]] })).toMatchObject({ ok: false, code: ErrorCode.INVALID_MESSAGE })
    expect(board.update('l', 9, { points: [[0, 0], [1, 1], [2, 2]] })).toMatchObject({ ok: false, code: ErrorCode.INVALID_MESSAGE })
    expect(board.update('l', 9, { width: 4 })).toMatchObject({ ok: false, code: ErrorCode.INVALID_MESSAGE })
    expect(board.version).toBe(2)
    expect(board.shapes).toEqual([
      { ...rect('a'), author: 'alice', version: 1 },
      { id: 'l', type: 'line', x: 0, y: 0, color: '#000000', strokeWidth: 1, points: [[0, 0], [5, 5]], author: 'alice', version: 2 },
    ])
  })
})
