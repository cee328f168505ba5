/** `reduceChat` and the log's changes: edits, deletions and reactions, live, resumed and pending. */
import type { ChatMessage, MessageChange } from '@scalable-chat/backend-contract'
import { PROTOCOL_VERSION, type SnapshotEvent } from '@scalable-chat/protocol'
import { describe, expect, it } from 'vitest'
import { initialChatState, reduceChat, type ChatEvent, type ChatState } from '../src/room/connection/chatReducer.js'

const ME = { userId: 'me', username: 'Me' }
const YOU = { ...ME, readSeq: 0 }
const LIMITS = { maxMessageLength: 500, messagesPerMinute: 30, messageBurst: 5, burstWindowMs: 2000, typingTimeoutMs: 6000, cursorIntervalMs: 50, maxFrameBytes: 16_384 }
const T = new Date(0).toISOString()

const message = (seq: number): ChatMessage => ({ seq, id: `m${seq}`, userId: 'me', username: 'Me', text: `text ${seq}`, clientId: `c${seq}`, createdAt: T })
const fields = (seq: number, target: number, clientId = `x${seq}`) => ({ seq, target, id: `e${seq}`, userId: 'me', username: 'Me', clientId, createdAt: T })
const edit = (seq: number, target: number, text: string, clientId?: string): MessageChange => ({ ...fields(seq, target, clientId), kind: 'edit', text })
const react = (seq: number, target: number, emoji: string, on = true): MessageChange => ({ ...fields(seq, target), kind: 'react', emoji, on })

function snapshot(messages: ChatMessage[], changes: MessageChange[], seq: number, resumed: boolean): SnapshotEvent {
  return {
    type: 'snapshot',
    protocol: PROTOCOL_VERSION,
    room: { id: 'room-1', name: 'Lobby', ownerId: 'me' },
    you: YOU,
    members: [{ ...ME, status: 'online' }],
    offline: [],
    messages,
    changes,
    board: { version: 0, shapes: [] },
    cursors: [],
    seq,
    resumed,
    limits: LIMITS,
  }
}

const after = (...events: ChatEvent[]): ChatState => events.reduce(reduceChat, initialChatState())

describe('reduceChat and changes', () => {
  it('applies a live change to the message it targets, and remembers the change’s seq as the latest', () => {
    const state = after(snapshot([message(1), message(2)], [], 2, false), { type: 'change', change: edit(3, 1, 'fixed') })
    expect(state.messages[0]).toMatchObject({ seq: 1, text: 'fixed', editedAt: T })
    expect(state.seq).toBe(3)
    expect(after(snapshot([message(1)], [], 1, false), { type: 'message', message: message(4) }).seq).toBe(4)
  })

  it('resumed: applies the missed changes to the messages held, and skips those of messages not held', () => {
    const first = after(snapshot([message(5), message(6)], [], 6, false))
    const state = reduceChat(first, snapshot([message(9)], [edit(7, 5, 'new'), react(8, 2, '👍'), react(10, 9, '🎉')], 10, true))
    expect(state.messages.map((m) => [m.seq, m.text, m.reactions?.map((r) => r.emoji)])).toEqual([
      [5, 'new', undefined],
      [6, 'text 6', undefined],
      [9, 'text 9', ['🎉']],
    ])
    expect(state.seq).toBe(10)
  })

  it('a pending change is acknowledged by its change, live or in a resumed snapshot; a refused one goes, with a notice', () => {
    const live = after(snapshot([message(1)], [], 1, false))
    const queued = reduceChat(live, { type: 'change_queued', change: { kind: 'edit', target: 1, text: 'x', clientId: 'mine', createdAt: T } })
    expect(queued.pendingChanges).toHaveLength(1)
    expect(reduceChat(queued, { type: 'change', change: edit(2, 1, 'x', 'mine') }).pendingChanges).toEqual([])
    expect(reduceChat(queued, snapshot([], [edit(2, 1, 'x', 'mine')], 2, true)).pendingChanges).toEqual([])
    const refused = reduceChat(queued, { type: 'change_failed', clientId: 'mine', error: { code: 'not_author', message: 'only its author may edit or delete a message' } })
    expect(refused.pendingChanges).toEqual([])
    expect(refused.notice?.code).toBe('not_author')
  })

  it('a change met twice (a resume after a live one) changes nothing the second time', () => {
    const once = after(snapshot([message(1)], [], 1, false), { type: 'change', change: react(2, 1, '👍') })
    expect(reduceChat(once, { type: 'change', change: react(2, 1, '👍') })).toBe(once)
  })
})
