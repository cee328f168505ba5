/**
 * The whiteboard through ChatConnection against the REAL servers: own edits drawn at once and
 * settled by their answers, quick successive edits of one shape all applied, concurrent edits of
 * two people converging, and edits made during an outage sent once the room is back.
 */
import type { ShapeInput } from '@scalable-chat/backend-contract'
import { startTestStack, type TestStack } from '@scalable-chat/session-server/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { BoardState, ChatConnection } from '../src/room/connection/ChatConnection.js'
import { disposeConnections, isLive, openConnection, signedInApi, waitForState } from './helpers/connections.js'

let stack: TestStack

beforeAll(async () => {
  stack = await startTestStack()
})
afterAll(() => stack?.close())
afterEach(disposeConnections)

function waitForBoard(connection: ChatConnection, predicate: (board: BoardState) => boolean): Promise<BoardState> {
  return new Promise((resolve) => {
    const check = () => {
      const state = connection.board.getState()
      if (!predicate(state)) return
      unsubscribe()
      resolve(state)
    }
    const unsubscribe = connection.board.subscribe(check)
    check()
  })
}

const settled = (board: BoardState) => board.pending.length === 0
const square = (id: string, x = 0): ShapeInput => ({ type: 'rectangle', id, x, y: 0, width: 40, height: 30, color: '#1e1e24', strokeWidth: 2 })

async function twoInARoom() {
  const ana = await signedInApi(stack.backend.url)
  const bo = await signedInApi(stack.backend.url)
  const { roomId } = await ana.api.createRoom('Board')
  const a = openConnection(ana.api, roomId)
  const b = openConnection(bo.api, roomId)
  await Promise.all([waitForState(a, isLive), waitForState(b, isLive)])
  return { a, b, ana, bo }
}

describe('the board over ChatConnection', () => {
  it('draws an own shape at once; the other member gets it; quick successive moves of one shape all apply', async () => {
    const { a, b, ana } = await twoInARoom()
    a.board.create(square('s-1'))
    // Drawn before any answer.
    expect(a.board.getState().shapes).toEqual([expect.objectContaining({ id: 's-1', version: 0 })])
    for (let x = 1; x <= 5; x++) a.board.update('s-1', { x: x * 10 })
    const mine = await waitForBoard(a, (board) => settled(board) && board.shapes[0]?.x === 50)
    const theirs = await waitForBoard(b, (board) => board.shapes[0]?.x === 50)
    expect(theirs.shapes).toEqual(mine.shapes)
    expect(mine.shapes[0]).toMatchObject({ author: ana.userId, version: 6 })
    expect(mine.notice).toBeNull()
  })

  it('converges when two people change one shape at once: the same board for both, the loser told', async () => {
    const { a, b } = await twoInARoom()
    a.board.create(square('s-2'))
    await waitForBoard(b, (board) => board.shapes.length === 1)
    await waitForBoard(a, settled)
    // Both move it (one wins, the other is stale), and Bo recolours it (a different field group: it applies).
    a.board.update('s-2', { x: 100 })
    b.board.update('s-2', { x: 200 })
    b.board.update('s-2', { color: '#e03131' })
    const [boardA, boardB] = await Promise.all([
      waitForBoard(a, (board) => settled(board) && board.shapes[0]?.color === '#e03131'),
      waitForBoard(b, (board) => settled(board) && board.shapes[0]?.color === '#e03131'),
    ])
    expect(boardA.shapes).toEqual(boardB.shapes)
    expect([100, 200]).toContain(boardA.shapes[0]!.x)
    const loser = boardA.shapes[0]!.x === 100 ? boardB : boardA
    expect(loser.notice?.code).toBe('stale_update')
  })

  it('sends what was drawn during an outage once the room is back, each edit applied once', async () => {
    const { a, b } = await twoInARoom()
    a.board.create(square('s-3'))
    await waitForBoard(a, settled)
    await stack.stopSession()
    a.board.create(square('s-4', 100))
    a.board.update('s-3', { x: 30 })
    a.board.remove('s-3')
    a.board.create(square('s-5', 200))
    expect(a.board.getState().shapes.map((s) => s.id)).toEqual(['s-4', 's-5'])
    await stack.startSession()
    const [boardA, boardB] = await Promise.all([
      waitForBoard(a, (board) => isLive(a.getState()) && settled(board) && board.confirmed.size === 2),
      waitForBoard(b, (board) => board.shapes.length === 2 && board.shapes.every((s) => s.id !== 's-3')),
    ])
    expect(boardA.shapes.map((s) => s.id)).toEqual(['s-4', 's-5'])
    expect(boardB.shapes).toEqual(boardA.shapes)
    expect(boardA.notice).toBeNull()
  })
})
