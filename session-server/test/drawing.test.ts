/**
 * The board on a real stack (the real backend on PGlite, a session server, real WebSockets):
 * edits between members, refusals, and the board surviving a drain and a fresh session server.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { ShapeInput } from '@scalable-chat/backend-contract'
import { ErrorCode, PROTOCOL_VERSION } from '@scalable-chat/protocol'
import { MAX_STRIKES } from '../src/connection/StrikeCounter.js'
import { startStack, uniqueName, type Stack } from './helpers/stack.js'

const rect = (id: string): ShapeInput => ({ id, type: 'rectangle', x: 10, y: 20, width: 30, height: 40, color: '#b91c1c', strokeWidth: 3 })
const pen = (id: string): ShapeInput => ({ id, type: 'path', x: 0, y: 0, color: '#000000', strokeWidth: 2, points: [[0, 0], [4, 2], [9, 7]] })

let stack: Stack
beforeAll(async () => {
  // Saved only on unload and drain here (a long delay), unless a test waits for the timed save.
  stack = await startStack({ BOARD_SAVE_DELAY_MS: '600000' })
})
afterAll(() => stack.close())

const storedBoard = async (roomId: string) =>
  (await stack.backend.db.query<{ board: unknown }>('SELECT board FROM boards WHERE room_id = $1', [roomId]))[0]?.board

describe('the board between members', () => {
  it('shows each member the others’ shapes and pointers; the sender gets its ref back', async () => {
    const { users } = await stack.usersInRoom([uniqueName('ana'), uniqueName('bo')])
    const [ana, bo] = users.map((u) => u.client) as [NonNullable<(typeof users)[0]>['client'], NonNullable<(typeof users)[0]>['client']]
    ana.send({ type: 'shape_create', shape: rect('r1'), ref: 'a-1' })
    bo.send({ type: 'shape_create', shape: pen('p1') })
    bo.send({ type: 'cursor_move', x: 12.5, y: -3 })
    const [first, second] = await ana.waitForCount('shape_created', 2)
    expect(first).toEqual({ type: 'shape_created', shape: { ...rect('r1'), author: users[0]!.auth.user.id, version: 1 }, ref: 'a-1' })
    expect(second?.shape).toMatchObject({ id: 'p1', author: users[1]!.auth.user.id, version: 2 })
    const cursors = await ana.next('cursors')
    expect(cursors.moved).toContainEqual({ userId: users[1]!.auth.user.id, x: 12.5, y: -3 })

    bo.send({ type: 'shape_update', id: 'r1', version: 1, changes: { x: 99 }, ref: 'b-2' })
    expect(await ana.next('shape_updated')).toEqual({ type: 'shape_updated', id: 'r1', changes: { x: 99 }, version: 3, by: users[1]!.auth.user.id, ref: 'b-2' })
  })

  it('answers a refused edit with its ref and changes nothing; edits that met someone else’s cost no strike', async () => {
    const { users } = await stack.usersInRoom([uniqueName('cy')])
    const cy = users[0]!.client
    cy.send({ type: 'shape_create', shape: rect('r1') })
    await cy.next('shape_created')
    cy.send({ type: 'shape_update', id: 'r1', version: 1, changes: { y: 1 } })
    await cy.next('shape_updated')
    // Stale and vanished-shape edits, more than the strikes that close a connection.
    for (let i = 0; i < MAX_STRIKES + 2; i++) cy.send({ type: 'shape_update', id: 'r1', version: 1, changes: { y: 2 }, ref: `stale-${i}` })
    cy.send({ type: 'shape_delete', id: 'gone', ref: 'missing' })
    const errors = await cy.waitForCount('error', MAX_STRIKES + 3)
    expect(errors.slice(0, MAX_STRIKES + 2).every((e) => e.code === ErrorCode.STALE_UPDATE && e.ref?.startsWith('stale-'))).toBe(true)
    expect(errors.at(-1)).toMatchObject({ code: ErrorCode.SHAPE_NOT_FOUND, ref: 'missing' })
    cy.send({ type: 'shape_create', shape: { ...rect('bad'), color: 'red' }, ref: 'bad-colour' })
    cy.send({ type: 'shape_create', shape: { ...rect('far'), x: 1e9 }, ref: 'too-far' })
    cy.send({ type: 'shape_update', id: 'r1', version: 2, changes: { text: 'not on a rectangle' }, ref: 'no-text' })
    const invalid = (await cy.waitForCount('error', MAX_STRIKES + 6)).slice(-3)
    expect(invalid.map((e) => e.code)).toEqual([ErrorCode.INVALID_MESSAGE, ErrorCode.INVALID_MESSAGE, ErrorCode.INVALID_MESSAGE])
    expect(invalid.at(-1)?.ref).toBe('no-text')
    // Still connected, and the board as it was.
    cy.send({ type: 'shape_delete', id: 'r1' })
    expect(await cy.next('shape_deleted')).toMatchObject({ id: 'r1', version: 3 })
    expect(cy.all('shape_created')).toHaveLength(1)
  })
})

describe('the board in storage', () => {
  it('is saved by the drain, and a fresh session server serves it whole to a member who comes back', async () => {
    const { roomId, users } = await stack.usersInRoom([uniqueName('di')])
    const di = users[0]!
    di.client.send({ type: 'shape_create', shape: rect('r1') })
    di.client.send({ type: 'shape_create', shape: pen('p1') })
    di.client.send({ type: 'shape_update', id: 'r1', version: 1, changes: { color: '#15803d' } })
    await di.client.waitForCount('shape_updated', 1)
    expect(await storedBoard(roomId)).toBeUndefined()

    await stack.stopSession()
    await stack.startSession()
    const { token } = await stack.join(di.auth.token, roomId)
    const back = stack.connect({ token, v: PROTOCOL_VERSION })
    const snapshot = await back.next('snapshot')
    expect(snapshot.board).toEqual({
      version: 3,
      shapes: [
        { ...rect('r1'), color: '#15803d', author: di.auth.user.id, version: 3 },
        { ...pen('p1'), author: di.auth.user.id, version: 2 },
      ],
    })
    // Edits go on from the stored version.
    back.send({ type: 'shape_delete', id: 'p1' })
    expect(await back.next('shape_deleted')).toMatchObject({ id: 'p1', version: 4 })
  })
})

describe('the board saved while the room is busy', () => {
  let timed: Stack
  beforeAll(async () => {
    timed = await startStack({ BOARD_SAVE_DELAY_MS: '100' })
  })
  afterAll(() => timed.close())

  it('reaches storage within BOARD_SAVE_DELAY_MS of a change, with no unload or drain', async () => {
    const { roomId, users } = await timed.usersInRoom([uniqueName('ed')])
    users[0]!.client.send({ type: 'shape_create', shape: rect('r1') })
    await vi.waitFor(async () => {
      const [row] = await timed.backend.db.query<{ board: unknown }>('SELECT board FROM boards WHERE room_id = $1', [roomId])
      expect(row?.board).toMatchObject({ version: 1, shapes: [{ id: 'r1' }] })
    })
  })
})
