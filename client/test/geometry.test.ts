import type { Shape } from '@scalable-chat/backend-contract'
import { describe, expect, it } from 'vitest'
import { dragChanges, shapeAt } from '../src/room/board/geometry.js'

const meta = { color: '#1e1e24', strokeWidth: 2, author: 'u1', version: 1 }
const box: Shape = { type: 'rectangle', id: 'r', x: 10, y: 10, width: 100, height: 50, ...meta }
const line: Shape = { type: 'line', id: 'l', x: 0, y: 0, points: [[0, 0], [100, 100]], ...meta }
const path: Shape = { type: 'path', id: 'p', x: 0, y: 0, points: [[0, 0], [10, 20], [20, 0]], ...meta }

describe('board geometry', () => {
  it('finds the topmost shape under a point, near a thin line but not far from it', () => {
    expect(shapeAt([box, line], 50, 50, 4)?.id).toBe('l')
    expect(shapeAt([box, line], 100, 20, 4)?.id).toBe('r')
    expect(shapeAt([line], 80, 20, 4)).toBeUndefined()
  })

  it('moves a shape, resizes a box from any corner (dragged past the other side too), and moves one end of a line', () => {
    expect(dragChanges(box, 'move', 5, -5)).toEqual({ x: 15, y: 5 })
    expect(dragChanges(box, 'se', 20, 10)).toEqual({ x: 10, y: 10, width: 120, height: 60 })
    expect(dragChanges(box, 'nw', 150, 0)).toEqual({ x: 110, y: 10, width: 50, height: 50 })
    expect(dragChanges(line, 'end', -50, 0)).toEqual({ points: [[0, 0], [50, 100]] })
  })

  it('scales a freehand stroke into its new box', () => {
    expect(dragChanges(path, 'se', 20, 20)).toEqual({ x: 0, y: 0, points: [[0, 0], [20, 40], [40, 0]] })
  })
})
