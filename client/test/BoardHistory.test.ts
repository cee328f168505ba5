import type { Shape, ShapeChanges, ShapeInput } from '@scalable-chat/backend-contract'
import { describe, expect, it } from 'vitest'
import { BoardHistory, type BoardEditor } from '../src/room/board/BoardHistory.js'

/** An editor that is the board: what the history does, applied at once. */
function board() {
  const shapes = new Map<string, Shape>()
  const editor: BoardEditor = {
    create: (shape: ShapeInput) => void shapes.set(shape.id, { ...shape, author: 'u1', version: 1 } as Shape),
    update: (id: string, changes: ShapeChanges) => {
      const shape = shapes.get(id)
      if (shape) shapes.set(id, { ...shape, ...changes } as Shape)
    },
    remove: (id: string) => void shapes.delete(id),
  }
  let ids = 0
  return { shapes, history: new BoardHistory(editor, () => `new${++ids}`) }
}

const square: ShapeInput = { type: 'rectangle', id: 'a', x: 0, y: 0, width: 10, height: 10, color: '#1e1e24', strokeWidth: 2 }

describe('BoardHistory', () => {
  it('undoes and redoes creates, updates and deletes, newest first', () => {
    const { shapes, history } = board()
    history.create(square)
    history.update(shapes.get('a')!, { x: 40, color: '#e03131' })
    expect(shapes.get('a')).toMatchObject({ x: 40, color: '#e03131' })
    history.undo()
    expect(shapes.get('a')).toMatchObject({ x: 0, color: '#1e1e24' })
    history.undo()
    expect(shapes.size).toBe(0)
    expect(history.canUndo).toBe(false)
    history.redo()
    history.redo()
    expect([...shapes.values()]).toEqual([expect.objectContaining({ id: 'new1', x: 40 })])
    expect(history.canRedo).toBe(false)
  })

  it('brings a deleted shape back under a new id, and later entries follow it there', () => {
    const { shapes, history } = board()
    history.create(square)
    history.update(shapes.get('a')!, { x: 5 })
    history.remove(shapes.get('a')!)
    history.undo()
    expect([...shapes.keys()]).toEqual(['new1'])
    expect(shapes.get('new1')).toMatchObject({ x: 5 })
    history.undo()
    expect(shapes.get('new1')).toMatchObject({ x: 0 })
    history.redo()
    history.redo()
    expect(shapes.size).toBe(0)
  })

  it('forgets what was undone once the user does something new', () => {
    const { shapes, history } = board()
    history.create(square)
    history.undo()
    history.create({ ...square, id: 'b' })
    expect(history.canRedo).toBe(false)
    expect([...shapes.keys()]).toEqual(['b'])
  })
})
