import { describe, expect, it } from 'vitest'
import { MessageHistory } from '../src/room/MessageHistory.js'
import { storedMessages } from './helpers/FakeBackendApi.js'

const seqs = (messages: { seq: number }[] | undefined) => messages?.map((m) => m.seq)

describe('MessageHistory#after', () => {
  it('returns exactly the messages after since, and [] when since is the latest seq', () => {
    const history = new MessageHistory(storedMessages(5))
    expect(seqs(history.after(2, 5))).toEqual([3, 4, 5])
    expect(history.after(5, 5)).toEqual([])
  })

  it('returns everything when since is just before the oldest held message, and since=0 on a full history', () => {
    const history = new MessageHistory(storedMessages(5))
    expect(seqs(history.after(0, 5))).toEqual([1, 2, 3, 4, 5])
  })

  it('returns undefined (NOT a partial list) once the messages after since no longer fit in memory', () => {
    const history = new MessageHistory(storedMessages(10), 4)
    expect(seqs(history.after(6, 10))).toEqual([7, 8, 9, 10])
    expect(history.after(5, 10)).toBeUndefined()
  })

  it('returns undefined when since is ahead of the latest seq (the client saw another history)', () => {
    const history = new MessageHistory(storedMessages(3))
    expect(history.after(4, 3)).toBeUndefined()
  })

  it('on an empty room: resumes since=latest with [], refuses since beyond it', () => {
    const history = new MessageHistory([])
    expect(history.after(0, 0)).toEqual([])
    expect(history.after(1, 0)).toBeUndefined()
  })

  it('with memory empty but a room that has older messages, resumes only since=latest', () => {
    // A room loaded with no messages in memory but seq 7 in storage (e.g. all dropped from the window).
    const history = new MessageHistory([])
    expect(history.after(7, 7)).toEqual([])
    expect(history.after(6, 7)).toBeUndefined()
  })
})

describe('MessageHistory#findByClientId', () => {
  it('finds a held message by (userId, clientId), and forgets it once it leaves the window', () => {
    const history = new MessageHistory(storedMessages(3, 'ana'), 3)
    expect(history.findByClientId('ana', 'old-1')?.seq).toBe(1)
    expect(history.findByClientId('bo', 'old-1')).toBeUndefined()
    history.append({ ...storedMessages(4, 'ana')[3]! })
    expect(history.findByClientId('ana', 'old-1')).toBeUndefined()
    expect(seqs(history.latest(10))).toEqual([2, 3, 4])
  })
})
