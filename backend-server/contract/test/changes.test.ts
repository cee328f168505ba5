import { describe, expect, it } from 'vitest'
import { Emoji, type ChatMessage, type MessageChange } from '../src/api.js'
import { applyChange, indexOfSeq } from '../src/changes.js'
import { NewEntry } from '../src/internal/api.js'

const message: ChatMessage = { seq: 3, id: 'm3', userId: 'ana', username: 'ana', text: 'hello', clientId: 'c3', createdAt: '2026-12-01T10:00:00.000Z' }
const base = { id: 'e', username: 'ana', clientId: 'x', createdAt: '2026-12-01T10:05:00.000Z', target: 3 }
const edit = (seq: number, text: string): MessageChange => ({ ...base, seq, kind: 'edit', userId: 'ana', text })
const react = (seq: number, userId: string, emoji: string, on: boolean): MessageChange => ({ ...base, seq, kind: 'react', userId, emoji, on })

describe('applyChange', () => {
  it('edits: the new text and when', () => {
    expect(applyChange(message, edit(4, 'hello!'))).toEqual({ ...message, text: 'hello!', editedAt: base.createdAt })
  })
  it('leaves another message, and a deleted one, as they are (the same object)', () => {
    const other = { ...message, seq: 9 }
    expect(applyChange(other, edit(10, 'x'))).toBe(other)
    const deleted = applyChange(message, { ...base, seq: 5, kind: 'delete', userId: 'ana' })
    expect(deleted).toEqual({ ...message, text: '', deleted: true })
    expect(applyChange(deleted, edit(6, 'back?'))).toBe(deleted)
    expect(applyChange(deleted, react(7, 'bo', '👍', true))).toBe(deleted)
  })
  it('a deletion takes the edit mark and the reactions too', () => {
    const changed = applyChange(applyChange(message, edit(4, 'x')), react(5, 'bo', '👍', true))
    expect(applyChange(changed, { ...base, seq: 6, kind: 'delete', userId: 'ana' })).toEqual({ ...message, text: '', deleted: true })
  })
  it('reactions: per emoji, in the order first used, each person once; off removes, the last one removes the emoji', () => {
    let m = applyChange(message, react(4, 'bo', '👍', true))
    m = applyChange(m, react(5, 'cy', '🎉', true))
    m = applyChange(m, react(6, 'ana', '👍', true))
    expect(m.reactions).toEqual([
      { emoji: '👍', userIds: ['bo', 'ana'] },
      { emoji: '🎉', userIds: ['cy'] },
    ])
    m = applyChange(m, react(7, 'bo', '👍', false))
    m = applyChange(m, react(8, 'cy', '🎉', false))
    expect(m.reactions).toEqual([{ emoji: '👍', userIds: ['ana'] }])
    m = applyChange(m, react(9, 'ana', '👍', false))
    expect(m).toEqual(message)
  })
  it('is idempotent: a change applied twice is applied once, and a no-op gives the same object', () => {
    const once = applyChange(message, react(4, 'bo', '👍', true))
    expect(applyChange(once, react(4, 'bo', '👍', true))).toBe(once)
    expect(applyChange(message, react(4, 'bo', '👍', false))).toBe(message)
    const edited = applyChange(message, edit(4, 'x'))
    expect(applyChange(edited, edit(4, 'x'))).toBe(edited)
  })
})

describe('Emoji and NewEntry', () => {
  it('one emoji, sequences included; nothing else', () => {
    for (const ok of ['👍', '❤️', '👍🏽', '👩‍👩‍👧', '🇫🇷', '1️⃣']) expect(Emoji.safeParse(ok).success, ok).toBe(true)
    for (const bad of ['', 'a', '👍👍', ':+1:', '<b>', '👍 ']) expect(Emoji.safeParse(bad).success, bad).toBe(false)
  })
  it('a change names a positive target; only a message or an edit has text', () => {
    const fields = { id: '018f3a2b-7c4d-4e5f-8a9b-0c1d2e3f4a5b', clientId: 'c-1', userId: 'u', username: 'ada', createdAt: '2026-11-30T21:40:00Z' }
    expect(NewEntry.safeParse({ ...fields, kind: 'edit', target: 1, text: 'x' }).success).toBe(true)
    expect(NewEntry.safeParse({ ...fields, kind: 'edit', target: 0, text: 'x' }).success).toBe(false)
    expect(NewEntry.safeParse({ ...fields, kind: 'delete', target: 2, text: 'x' }).success).toBe(false)
    expect(NewEntry.safeParse({ ...fields, kind: 'react', target: 2, emoji: '👍', on: true }).success).toBe(true)
    expect(NewEntry.safeParse({ ...fields, kind: 'shout', target: 2 }).success).toBe(false)
  })
})

describe('indexOfSeq', () => {
  it('finds an entry by seq in a list with gaps, and says -1 for a seq it does not hold', () => {
    const entries = [{ seq: 2 }, { seq: 3 }, { seq: 7 }, { seq: 40 }]
    expect(entries.map((e) => indexOfSeq(entries, e.seq))).toEqual([0, 1, 2, 3])
    expect([1, 5, 41].map((seq) => indexOfSeq(entries, seq))).toEqual([-1, -1, -1])
    expect(indexOfSeq([], 1)).toBe(-1)
  })
})
