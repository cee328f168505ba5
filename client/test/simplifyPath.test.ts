import type { Point } from '@scalable-chat/backend-contract'
import { BOARD_RULE } from '@scalable-chat/backend-contract/rules'
import { DEFAULT_LIMITS } from '@scalable-chat/protocol/codes'
import { describe, expect, it } from 'vitest'
import { simplifyPath } from '../src/room/board/simplifyPath.js'

describe('simplifyPath', () => {
  it('makes the points relative to the first, rounded, and drops what a straight stretch does not need', () => {
    expect(simplifyPath([[10, 10], [11, 10.02], [15.55, 10], [20, 10]], DEFAULT_LIMITS.maxFrameBytes)).toEqual({ x: 10, y: 10, points: [[0, 0], [10, 0]] })
  })

  it('keeps the corners of a shape drawn by hand', () => {
    const { points } = simplifyPath([[0, 0], [50, 0], [100, 0], [100, 50], [100, 100], [50, 100], [0, 100]], DEFAULT_LIMITS.maxFrameBytes)
    expect(points).toEqual([[0, 0], [100, 0], [100, 100], [0, 100]])
  })

  it('fits a long scribble into the point limit and the frame size', () => {
    const scribble: Point[] = Array.from({ length: 5000 }, (_, i) => [i * 0.37 + Math.sin(i) * 40, Math.cos(i * 0.7) * 300 + i * 0.01])
    const stroke = simplifyPath(scribble, DEFAULT_LIMITS.maxFrameBytes)
    expect(stroke.points.length).toBeLessThanOrEqual(BOARD_RULE.maxPathPoints)
    expect(stroke.points.length).toBeGreaterThan(2)
    expect(JSON.stringify(stroke.points).length).toBeLessThan(DEFAULT_LIMITS.maxFrameBytes - 256)
  })

  it('makes a dot a path of two points', () => {
    expect(simplifyPath([[3, 4]], DEFAULT_LIMITS.maxFrameBytes).points).toEqual([[0, 0], [0.1, 0]])
  })
})
