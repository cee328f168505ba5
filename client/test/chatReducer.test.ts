import type { ChatMessage } from '@scalable-chat/backend-contract'
import { PROTOCOL_VERSION, type SnapshotEvent } from '@scalable-chat/protocol'
import { describe, expect, it } from 'vitest'
import { initialChatState, reduceChat, type ChatEvent, type ChatState, type PendingMessage } from '../src/room/connection/chatReducer.js'

const ME = { userId: 'me', username: 'Me' }
const ANA = { userId: 'ana', username: 'Ana' }
const LIMITS = { maxMessageLength: 500, messagesPerMinute: 30, messageBurst: 5, burstWindowMs: 2000, typingTimeoutMs: 6000, cursorIntervalMs: 50, maxFrameBytes: 16_384 }

function message(seq: number, from = ANA, clientId = `c${seq}`): ChatMessage {
  return { seq, id: `m${seq}`, userId: from.userId, username: from.username, text: `text ${seq}`, clientId, createdAt: new Date(0).toISOString() }
}

function snapshot(messages: ChatMessage[], resumed = false, readSeq = 0): SnapshotEvent {
  return {
    type: 'snapshot',
    protocol: PROTOCOL_VERSION,
    room: { id: 'room-1', name: 'Lobby', ownerId: 'me' },
    you: { ...ME, readSeq },
    members: [{ ...ME, status: 'online' }, { ...ANA, status: 'online' }],
    offline: [],
    messages,
    changes: [],
    board: { version: 0, shapes: [] },
    cursors: [],
    seq: messages.at(-1)?.seq ?? 0,
    resumed,
    limits: LIMITS,
  }
}

function pending(clientId: string, state: PendingMessage['state'] = 'sending'): PendingMessage {
  return { clientId, text: clientId, createdAt: new Date(0).toISOString(), state }
}

/** The state after each event in turn, from the initial one. */
function after(...events: ChatEvent[]): ChatState {
  return events.reduce(reduceChat, initialChatState())
}

const seqs = (state: ChatState) => state.messages.map((m) => m.seq)

describe('reduceChat', () => {
  describe('snapshot', () => {
    it('makes the room live with its members, messages and limits, and knows whether older history exists', () => {
      const state = after(snapshot([message(41), message(42)]))
      expect(state.status).toEqual({ kind: 'live' })
      expect(state.you).toMatchObject(ME)
      expect(state.members.map((m) => m.userId)).toEqual(['me', 'ana'])
      expect(seqs(state)).toEqual([41, 42])
      expect(state.limits).toEqual(LIMITS)
      expect(state.history.hasMore).toBe(true)
      expect(after(snapshot([message(1)])).history.hasMore).toBe(false)
    })

    it('resumed: adds the missed messages to the view; NOT resumed: replaces the view', () => {
      const first = after(snapshot([message(1), message(2)]))
      expect(seqs(reduceChat(first, snapshot([message(3)], true)))).toEqual([1, 2, 3])
      expect(seqs(reduceChat(first, snapshot([message(50), message(51)], false)))).toEqual([50, 51])
    })

    it('acknowledges the pending messages it shows stored, and keeps the others pending', () => {
      const state = after(
        { type: 'send_queued', message: pending('stored-meanwhile') },
        { type: 'send_queued', message: pending('not-yet') },
        snapshot([message(1, ME, 'stored-meanwhile')]),
      )
      expect(state.pending.map((p) => p.clientId)).toEqual(['not-yet'])
    })
  })

  describe('message', () => {
    it('adds a message once, in seq order, and announces it when it is someone else\'s', () => {
      const state = after(snapshot([message(1)]), { type: 'message', message: message(3) }, { type: 'message', message: message(2) }, { type: 'message', message: message(3) })
      expect(seqs(state)).toEqual([1, 2, 3])
      expect(state.lastIncoming?.seq).toBe(2)
    })

    it('is the acknowledgement of its clientId to its sender, who stops showing it pending, and is NOT announced', () => {
      const state = after(snapshot([]), { type: 'send_queued', message: pending('k1') }, { type: 'message', message: message(1, ME, 'k1') })
      expect(state.pending).toEqual([])
      expect(state.lastIncoming).toBeNull()
    })

    it('ends the sender\'s typing', () => {
      const state = after(snapshot([]), { type: 'typing', ...ANA, typing: true }, { type: 'message', message: message(1) })
      expect(state.typing).toEqual([])
    })
  })

  describe('members and typing', () => {
    it('lists who joins once, drops who leaves (and their typing), and follows status changes', () => {
      const bo = { userId: 'bo', username: 'Bo', status: 'online' as const }
      const state = after(
        snapshot([]),
        { type: 'user_joined', member: bo },
        { type: 'user_joined', member: bo },
        { type: 'status', userId: 'ana', status: 'dnd' },
        { type: 'typing', userId: 'bo', username: 'Bo', typing: true },
        { type: 'member_left', member: bo },
      )
      expect(state.members).toEqual([{ ...ME, status: 'online' }, { ...ANA, status: 'dnd' }])
      expect(state.typing).toEqual([])
    })

    it('lists others typing once, and NEVER the user', () => {
      const state = after(snapshot([]), { type: 'typing', ...ANA, typing: true }, { type: 'typing', ...ANA, typing: true }, { type: 'typing', ...ME, typing: true })
      expect(state.typing).toEqual([ANA])
      expect(reduceChat(state, { type: 'typing', ...ANA, typing: false }).typing).toEqual([])
    })

    it('forgets who was typing when the connection drops', () => {
      const state = after(snapshot([]), { type: 'typing', ...ANA, typing: true }, { type: 'connection', status: { kind: 'connecting', attempt: 0 } })
      expect(state.typing).toEqual([])
    })
  })

  describe('sends', () => {
    it('marks a refused send failed with the refusal, retries it as sending, and discards only failed ones', () => {
      const refusal = { code: 'message_too_long', message: 'the message is longer than 500 characters' }
      const failed = after({ type: 'send_queued', message: pending('a') }, { type: 'send_queued', message: pending('b') }, { type: 'send_failed', clientId: 'a', error: refusal })
      expect(failed.pending).toEqual([{ ...pending('a'), state: 'failed', error: refusal }, pending('b')])
      expect(reduceChat(failed, { type: 'send_retried', clientId: 'a' }).pending[0]).toEqual({ ...pending('a'), error: undefined })
      expect(reduceChat(failed, { type: 'send_discarded', clientId: 'b' }).pending).toHaveLength(2)
      expect(reduceChat(failed, { type: 'send_discarded', clientId: 'a' }).pending).toEqual([pending('b')])
    })

    it('returns the SAME state for an event that changes nothing (no re-render)', () => {
      const state = after(snapshot([]))
      expect(reduceChat(state, { type: 'send_failed', clientId: 'unknown', error: { code: 'x', message: 'y' } })).toBe(state)
      expect(reduceChat(state, { type: 'typing', ...ANA, typing: false })).toBe(state)
      expect(reduceChat(state, { type: 'notice', notice: null })).toBe(state)
      const withOne = reduceChat(state, { type: 'message', message: message(1) })
      expect(reduceChat(withOne, { type: 'message', message: message(1) })).toBe(withOne)
    })
  })

  describe('history', () => {
    it('prepends an older page, and says when the beginning is reached or a page failed', () => {
      const state = after(snapshot([message(51), message(52)]), { type: 'history_loading' })
      expect(state.history.loading).toBe(true)
      const loaded = reduceChat(state, { type: 'history_loaded', messages: [message(49), message(50)], hasMore: false })
      expect(seqs(loaded)).toEqual([49, 50, 51, 52])
      expect(loaded.history).toEqual({ hasMore: false, loading: false, error: null })
      expect(reduceChat(state, { type: 'history_failed', error: 'offline' }).history).toEqual({ hasMore: true, loading: false, error: 'offline' })
    })
  })

  it('moves a member who went offline to the offline list with the time, and back when they return; one who left the room is gone', () => {
    let state = after(snapshot([]))
    state = reduceChat(state, { type: 'member_left', member: { ...ANA, status: 'online' }, lastSeenAt: '2026-01-01T00:00:00.000Z' })
    expect(state.members.map((m) => m.userId)).toEqual([ME.userId])
    expect(state.offline).toEqual([{ ...ANA, lastSeenAt: '2026-01-01T00:00:00.000Z' }])
    state = reduceChat(state, { type: 'user_joined', member: { ...ANA, status: 'online' } })
    expect(state.offline).toEqual([])
    state = reduceChat(state, { type: 'member_left', member: { ...ANA, status: 'online' } })
    expect(state.offline).toEqual([])
  })

  it('keeps the room from the join answer until the snapshot brings its own, and the settings of the latest join', () => {
    const room = { id: 'room-1', name: 'Lobby', ownerId: 'me' }
    const settings = { visibility: 'unlisted' as const, description: '' }
    const joined = after({ type: 'joined', room, settings })
    expect(joined.room).toEqual(room)
    const again = reduceChat(joined, { type: 'joined', room: { ...room, name: 'Renamed?' }, settings: { visibility: 'public', description: 'Now public' } })
    expect(again.room?.name).toBe('Lobby')
    expect(again.settings).toEqual({ visibility: 'public', description: 'Now public' })
  })

  describe('read position', () => {
    it('puts "New messages" after the read position the room was opened with, and keeps it there while reading here and across reconnects', () => {
      let state = after(snapshot([message(1), message(2), message(3)], false, 1))
      expect(state).toMatchObject({ readSeq: 1, unreadAfter: 1 })
      state = reduceChat(state, { type: 'marked_read', seq: 3 })
      expect(state).toMatchObject({ readSeq: 3, unreadAfter: 1 })
      expect(reduceChat(state, { type: 'marked_read', seq: 2 })).toBe(state)
      state = reduceChat(state, snapshot([message(4)], true, 3))
      expect(state).toMatchObject({ readSeq: 3, unreadAfter: 1 })
    })

    it("moves the divider past what another tab or device read, never back", () => {
      let state = after(snapshot([message(1), message(2), message(3)], false, 1))
      state = reduceChat(state, { type: 'read', seq: 3 })
      expect(state).toMatchObject({ readSeq: 3, unreadAfter: 3 })
      expect(reduceChat(state, { type: 'read', seq: 2 })).toBe(state)
    })
  })
})
