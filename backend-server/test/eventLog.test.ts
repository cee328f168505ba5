/**
 * The room log as a log of events: edits, deletions and reactions stored through the group commit
 * with seqs of their own, checked by storage (author, target, deleted, emoji limit), and the
 * history and the load serving messages as they are now.
 */
import { randomUUID } from 'node:crypto'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { REACTION_RULE, type AuthResponse, type HistoryResponse } from '@scalable-chat/backend-contract'
import { CommitResponse, LoadRoomResponse, type NewEntry } from '@scalable-chat/backend-contract/internal'
import { bearer, createRoom, newMessage, registerUser, service, useBackendBesideFakeSession } from './helpers.js'

const suite = useBackendBesideFakeSession()
const api = () => request(suite.backend.url)

type User = AuthResponse['user']
const fields = (user: User, clientId: string) => ({
  id: randomUUID(),
  clientId,
  userId: user.id,
  username: user.username,
  createdAt: new Date().toISOString(),
})
const edit = (user: User, clientId: string, target: number, text: string): NewEntry => ({ ...fields(user, clientId), kind: 'edit', target, text })
const del = (user: User, clientId: string, target: number): NewEntry => ({ ...fields(user, clientId), kind: 'delete', target })
const react = (user: User, clientId: string, target: number, emoji: string, on = true): NewEntry => ({
  ...fields(user, clientId),
  kind: 'react',
  target,
  emoji,
  on,
})

/** A room loaded by the fake session server, with Ana (its owner) and Bo as members, and a commit function that tracks afterSeq. */
async function room() {
  const ana = await registerUser(suite.backend, 'ana')
  const bo = await registerUser(suite.backend, 'bo')
  const roomId = await createRoom(suite.backend, ana.token)
  await api().get(`/api/rooms/${roomId}`).set(bearer(bo.token)).expect(200)
  const load = LoadRoomResponse.parse((await api().get(`/internal/rooms/${roomId}`).query({ host: suite.session.host }).set(service)).body)
  let seq = load.seq
  const commit = async (...entries: NewEntry[]) => {
    const res = await api()
      .post(`/internal/rooms/${roomId}/messages`)
      .set(service)
      .send({ host: suite.session.host, epoch: load.epoch, afterSeq: seq, entries })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    const body = CommitResponse.parse(res.body)
    seq = body.seq
    return body
  }
  const history = async () => ((await api().get(`/api/rooms/${roomId}/messages`).set(bearer(ana.token))).body as HistoryResponse).messages
  return { roomId, ana: ana.user, bo: bo.user, commit, history, latest: () => seq, epoch: load.epoch }
}

describe('edits, deletions and reactions in the room log', () => {
  it('stores each change with a seq of its own, and history shows the message as it is now', async () => {
    const { ana, bo, commit, history } = await room()
    await commit(newMessage(ana, 'm1', 'helo'), newMessage(bo, 'm2', 'hi'))
    const body = await commit(edit(ana, 'e1', 1, 'hello'), react(bo, 'r1', 1, '👍'), react(ana, 'r2', 1, '👍'), react(bo, 'r3', 2, '🎉'))
    expect(body.seq).toBe(6)
    expect(body.results.map((r) => ('change' in r ? [r.change.seq, r.change.kind, r.change.target] : r))).toEqual([
      [3, 'edit', 1],
      [4, 'react', 1],
      [5, 'react', 1],
      [6, 'react', 2],
    ])
    const [first, second] = await history()
    expect(first).toMatchObject({ seq: 1, text: 'hello', reactions: [{ emoji: '👍', userIds: [bo.id, ana.id] }] })
    expect(first?.editedAt).toEqual(expect.any(String))
    expect(second).toMatchObject({ seq: 2, text: 'hi', reactions: [{ emoji: '🎉', userIds: [bo.id] }] })
    expect(second?.editedAt).toBeUndefined()

    // Taking a reaction back: the last one under an emoji takes the emoji away.
    await commit(react(bo, 'r4', 1, '👍', false), react(bo, 'r5', 2, '🎉', false))
    const [again, plain] = await history()
    expect(again?.reactions).toEqual([{ emoji: '👍', userIds: [ana.id] }])
    expect(plain?.reactions).toBeUndefined()
  })

  it('lets only the author edit or delete, refuses changes of what is not a message, and stores nothing refused', async () => {
    const { ana, bo, commit, history, latest } = await room()
    await commit(newMessage(ana, 'm1', 'mine'))
    await commit(react(bo, 'r1', 1, '👍'))
    const before = latest()
    const body = await commit(
      edit(bo, 'e1', 1, 'not yours'),
      del(bo, 'd1', 1),
      edit(ana, 'e2', 2, 'a reaction is not a message'),
      react(ana, 'r2', 99, '👍'),
    )
    expect(body.results).toEqual([{ refused: 'not_author' }, { refused: 'not_author' }, { refused: 'message_not_found' }, { refused: 'message_not_found' }])
    expect(body.seq).toBe(before)
    expect((await history())[0]?.text).toBe('mine')
  })

  it('a deletion keeps the place, wipes the text from storage (edits included), and refuses later changes', async () => {
    const { roomId, ana, bo, commit, history } = await room()
    await commit(newMessage(ana, 'm1', 'secret one'), newMessage(bo, 'm2', 'next'))
    await commit(edit(ana, 'e1', 1, 'secret two'), react(bo, 'r1', 1, '😮'))
    const body = await commit(del(ana, 'd1', 1), edit(ana, 'e2', 1, 'back?'), react(bo, 'r2', 1, '👍'), del(ana, 'd2', 1))
    expect(body.results.map((r) => ('change' in r ? r.change.kind : r))).toEqual([
      'delete',
      { refused: 'message_deleted' },
      { refused: 'message_deleted' },
      { refused: 'message_deleted' },
    ])
    const [deleted, next] = await history()
    expect(deleted).toMatchObject({ seq: 1, text: '', deleted: true })
    expect(deleted?.reactions).toBeUndefined()
    expect(deleted?.editedAt).toBeUndefined()
    expect(next?.text).toBe('next')
    const rows = await suite.backend.db.query<{ text: string }>("SELECT text FROM messages WHERE room_id = $1 AND text LIKE 'secret%'", [roomId])
    expect(rows).toEqual([])
    const reactions = await suite.backend.db.query('SELECT * FROM reactions WHERE room_id = $1', [roomId])
    expect(reactions).toEqual([])
  })

  it('answers a retried change with the original and stores it once; a batch mixing messages and changes keeps request order', async () => {
    const { ana, bo, commit, latest } = await room()
    await commit(newMessage(ana, 'm1'))
    const change = edit(ana, 'e1', 1, 'once')
    const first = await commit(change)
    const seq = latest()
    const retry = await commit({ ...change, id: randomUUID() }, newMessage(bo, 'm2'), react(bo, 'r1', 1, '👍'), newMessage(bo, 'm3'))
    expect(retry.results[0]).toEqual(first.results[0])
    expect(retry.results.slice(1).map((r) => ('message' in r ? r.message.seq : 'change' in r ? r.change.seq : r))).toEqual([seq + 1, seq + 2, seq + 3])
  })

  it(`allows ${REACTION_RULE.maxPerMessage} different emoji on a message, and more people under one of them`, async () => {
    const { ana, bo, commit } = await room()
    await commit(newMessage(ana, 'm1'))
    const emoji = [...'😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙🥲😚🙂']
    expect(emoji).toHaveLength(REACTION_RULE.maxPerMessage)
    await commit(...emoji.map((e, i) => react(ana, `r${i}`, 1, e)))
    const body = await commit(react(bo, 'x1', 1, '🤗'), react(bo, 'x2', 1, '😀'))
    expect(body.results[0]).toEqual({ refused: 'too_many_reactions' })
    expect(body.results[1]).toMatchObject({ change: { kind: 'react', emoji: '😀' } })
  })

  it('loads a room with its latest messages as they are now and every change after the oldest of them', async () => {
    const { roomId, ana, bo, commit } = await room()
    await commit(...Array.from({ length: 120 }, (_, i) => newMessage(ana, `m${i}`)))
    // One change of a message too old to load, one of a loaded one.
    await commit(edit(ana, 'e1', 5, 'old, edited'), react(bo, 'r1', 110, '👍'))
    const load = LoadRoomResponse.parse((await api().get(`/internal/rooms/${roomId}`).query({ host: suite.session.host }).set(service)).body)
    expect(load.seq).toBe(122)
    expect(load.messages.map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 21))
    expect(load.logFrom).toBe(20)
    expect(load.changes.map((c) => [c.seq, c.kind, c.target])).toEqual([
      [121, 'edit', 5],
      [122, 'react', 110],
    ])
    expect(load.messages.find((m) => m.seq === 110)?.reactions).toEqual([{ emoji: '👍', userIds: [bo.id] }])
  })

  it('refuses malformed changes with 400 and stores nothing', async () => {
    const { roomId, ana, latest, epoch } = await room()
    const bad = [
      { ...fields(ana, 'b1'), kind: 'react', target: 1, emoji: 'a', on: true },
      { ...fields(ana, 'b2'), kind: 'react', target: 1, emoji: '👍👍', on: true },
      { ...fields(ana, 'b3'), kind: 'edit', target: 1, text: '' },
      { ...fields(ana, 'b4'), kind: 'edit', target: 0, text: 'x' },
      { ...fields(ana, 'b5'), kind: 'delete' },
      { ...fields(ana, 'b6'), kind: 'pin', target: 1 },
    ]
    for (const entry of bad) {
      const res = await api()
        .post(`/internal/rooms/${roomId}/messages`)
        .set(service)
        .send({ host: suite.session.host, epoch, afterSeq: latest(), entries: [entry] })
      expect(res.status, JSON.stringify(entry)).toBe(400)
    }
    expect(latest()).toBe(0)
  })
})
