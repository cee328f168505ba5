import { describe, expect, it } from 'vitest'
import type { ChatMessage, MessageChange } from '@scalable-chat/backend-contract'
import { MessageHistory } from '../src/room/MessageHistory.js'
import { storedMessages } from './helpers/FakeBackendApi.js'

const seqs = (after: { messages: { seq: number }[]; changes: { seq: number }[] } | undefined) =>
  after && [...after.messages, ...after.changes].map((m) => m.seq).sort((a, b) => a - b)
/** A room's whole log of `messages`, as a room with fewer than 100 messages loads it. */
const whole = (messages: ChatMessage[], changes: MessageChange[] = []) => ({ messages, changes, logFrom: 0 })
const change = (seq: number, target: number, extra: Partial<MessageChange> = {}): MessageChange =>
  ({ seq, target, id: `c${seq}`, userId: 'u-old', username: 'u-old', clientId: `change-${seq}`, createdAt: new Date(0).toISOString(), kind: 'edit', text: `edit ${seq}`, ...extra }) as MessageChange

describe('MessageHistory#after', () => {
  it('returns exactly the entries after since, and none when since is the latest seq', () => {
    const history = new MessageHistory(whole(storedMessages(5)))
    expect(seqs(history.after(2, 5))).toEqual([3, 4, 5])
    expect(history.after(5, 5)).toEqual({ messages: [], changes: [] })
  })

  it('returns everything when since is just before the oldest held entry, and since=0 on a full history', () => {
    const history = new MessageHistory(whole(storedMessages(5)))
    expect(seqs(history.after(0, 5))).toEqual([1, 2, 3, 4, 5])
  })

  it('returns undefined (NOT a partial list) once the entries after since no longer fit in memory', () => {
    const history = new MessageHistory(whole(storedMessages(10)), 4)
    expect(seqs(history.after(6, 10))).toEqual([7, 8, 9, 10])
    expect(history.after(5, 10)).toBeUndefined()
  })

  it('returns undefined when since is ahead of the latest seq (the client saw another history)', () => {
    const history = new MessageHistory(whole(storedMessages(3)))
    expect(history.after(4, 3)).toBeUndefined()
  })

  it('on an empty room: resumes since=latest with nothing, refuses since beyond it', () => {
    const history = new MessageHistory(whole([]))
    expect(history.after(0, 0)).toEqual({ messages: [], changes: [] })
    expect(history.after(1, 0)).toBeUndefined()
  })

  it('resumes only from where the load made the log complete', () => {
    // Loaded with seqs 6–7 only: what came before 5 is not known here.
    const history = new MessageHistory({ messages: storedMessages(7).slice(5), changes: [], logFrom: 5 })
    expect(seqs(history.after(5, 7))).toEqual([6, 7])
    expect(history.after(4, 7)).toBeUndefined()
  })

  it('hands a resuming client the changes it missed, of messages it holds or not, and keeps messages as they are now', () => {
    const history = new MessageHistory(whole(storedMessages(3)))
    history.append({ type: 'change', change: change(4, 1, { kind: 'edit', text: 'fixed' } as Partial<MessageChange>) })
    history.append({ type: 'message', message: { ...storedMessages(5)[4]!, seq: 5 } })
    history.append({ type: 'change', change: change(6, 5, { kind: 'react', emoji: '👍', on: true } as Partial<MessageChange>) })
    const after = history.after(3, 6)
    expect(after?.messages.map((m) => [m.seq, m.reactions])).toEqual([[5, [{ emoji: '👍', userIds: ['u-old'] }]]])
    expect(after?.changes.map((c) => [c.seq, c.target])).toEqual([
      [4, 1],
      [6, 5],
    ])
    expect(history.message(1)?.text).toBe('fixed')
    expect(history.latest(1)[0]?.reactions).toHaveLength(1)
  })

  it('forgets the oldest changes past its capacity, and no longer resumes from before them', () => {
    const history = new MessageHistory(whole(storedMessages(2)), 3)
    for (let seq = 3; seq <= 6; seq++) history.append({ type: 'change', change: change(seq, 1) })
    expect(seqs(history.after(3, 6))).toEqual([4, 5, 6])
    expect(history.after(2, 6)).toBeUndefined()
    expect(history.holds(3)).toBe(false)
    expect(history.holds(4)).toBe(true)
  })
})

describe('MessageHistory#findByClientId', () => {
  it('finds a held message (as it is now) or change by (userId, clientId), and forgets it once it leaves the window', () => {
    const history = new MessageHistory(whole(storedMessages(3, 'ana')), 3)
    expect(history.findByClientId('ana', 'old-1')).toMatchObject({ type: 'message', message: { seq: 1 } })
    expect(history.findByClientId('bo', 'old-1')).toBeUndefined()
    history.append({ type: 'change', change: change(4, 2, { userId: 'ana', clientId: 'e-1', text: 'new' } as Partial<MessageChange>) })
    expect(history.findByClientId('ana', 'e-1')).toMatchObject({ type: 'change', change: { seq: 4, target: 2 } })
    expect(history.findByClientId('ana', 'old-2')).toMatchObject({ type: 'message', message: { seq: 2, text: 'new' } })
    history.append({ type: 'message', message: { ...storedMessages(5, 'ana')[4]! } })
    expect(history.findByClientId('ana', 'old-1')).toBeUndefined()
    expect(history.latest(10).map((m) => m.seq)).toEqual([2, 3, 5])
  })
})
