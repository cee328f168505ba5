import type { CommitResponse, NewMessage } from '@scalable-chat/backend-contract/internal'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { BackendResult } from '../src/backendApi/BackendApi.js'
import { GroupCommitter, RETRY_BASE_DELAY_MS, type GroupCommitterOptions } from '../src/room/GroupCommitter.js'

function message(clientId: string): NewMessage {
  return { id: crypto.randomUUID(), clientId, userId: 'alice', username: 'alice', text: clientId, createdAt: new Date(0).toISOString() }
}

const stored = (batch: NewMessage[]): BackendResult<CommitResponse> => ({
  ok: true,
  value: { messages: batch.map((m, i) => ({ ...m, seq: i + 1 })), seq: batch.length },
})

/** A committer whose `commit` answers from `answers` in turn (then stores), recording every call. */
function makeCommitter(answers: Array<BackendResult<CommitResponse> | Error> = [], overrides: Partial<GroupCommitterOptions> = {}) {
  const calls: string[][] = []
  const events: string[] = []
  const committer = new GroupCommitter({
    commit: async (batch) => {
      calls.push(batch.map((m) => m.clientId))
      const answer = answers.shift()
      if (answer instanceof Error) throw answer
      return answer ?? stored(batch)
    },
    onStored: (batch) => events.push(`stored ${batch.map((m) => m.clientId).join(',')}`),
    onFenced: (reason) => events.push(`fenced ${reason}`),
    onRejected: (batch) => events.push(`rejected ${batch.map((m) => m.clientId).join(',')}`),
    onRetry: (attempt, delayMs) => events.push(`retry ${attempt} in ${delayMs}`),
    onBug: (error, batch) => events.push(`bug ${(error as Error).message} ${batch.map((m) => m.clientId).join(',')}`),
    ...overrides,
  })
  return { committer, calls, events }
}

/** The committer sends its first batch on the next turn of the event loop; then later enqueues wait. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

const unavailable: BackendResult<CommitResponse> = { ok: false, reason: 'unavailable', detail: 'HTTP 503' }

afterEach(() => {
  vi.useRealTimers()
})

describe('GroupCommitter#enqueue', () => {
  it('sends messages enqueued in one turn as ONE batch, and those during a commit as the next', async () => {
    const { committer, calls, events } = makeCommitter()
    committer.enqueue(message('a'))
    committer.enqueue(message('b'))
    expect(committer.size).toBe(2)
    await nextTurn()
    committer.enqueue(message('c'))
    await committer.whenIdle()
    expect(calls).toEqual([['a', 'b'], ['c']])
    expect(events).toEqual(['stored a,b', 'stored c'])
    expect(committer.size).toBe(0)
  })

  it('splits a backlog into batches of at most maxBatchSize', async () => {
    const { committer, calls } = makeCommitter([], { maxBatchSize: 2 })
    for (const id of ['a', 'b', 'c', 'd', 'e']) committer.enqueue(message(id))
    await committer.whenIdle()
    expect(calls).toEqual([['a', 'b'], ['c', 'd'], ['e']])
  })
})

describe('GroupCommitter retries', () => {
  it('retries the SAME batch with doubling delays after transient failures, then reports it stored', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { committer, calls, events } = makeCommitter([unavailable, unavailable])
    committer.enqueue(message('a'))
    const idle = committer.whenIdle()
    await vi.waitFor(() => expect(events).toEqual([`retry 1 in ${RETRY_BASE_DELAY_MS}`]))
    // Nothing is sent again before the delay is over.
    expect(calls).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(RETRY_BASE_DELAY_MS)
    expect(events.at(-1)).toBe(`retry 2 in ${RETRY_BASE_DELAY_MS * 2}`)
    await vi.advanceTimersByTimeAsync(RETRY_BASE_DELAY_MS * 2)
    await idle
    expect(calls).toEqual([['a'], ['a'], ['a']])
    expect(events.at(-1)).toBe('stored a')
  })

  it('stop during a retry wait ends it at once: no further commit, whenIdle resolves, later enqueues are ignored', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { committer, calls, events } = makeCommitter([unavailable])
    committer.enqueue(message('a'))
    await vi.waitFor(() => expect(events).toEqual([`retry 1 in ${RETRY_BASE_DELAY_MS}`]))
    const idle = committer.whenIdle()
    committer.stop()
    await idle
    committer.enqueue(message('b'))
    await vi.advanceTimersByTimeAsync(RETRY_BASE_DELAY_MS * 10)
    expect(calls).toEqual([['a']])
    expect(events).toEqual([`retry 1 in ${RETRY_BASE_DELAY_MS}`])
    expect(committer.size).toBe(0)
  })
})

describe('GroupCommitter failures', () => {
  it.each(['moved', 'not_found'] as const)('reports %s as fenced and does not retry', async (reason) => {
    const { committer, calls, events } = makeCommitter([{ ok: false, reason }])
    committer.enqueue(message('a'))
    await committer.whenIdle()
    expect(calls).toEqual([['a']])
    expect(events).toEqual([`fenced ${reason}`])
  })

  it('reports an unreadable 2xx as fenced (the room must reload), NOT as rejected', async () => {
    const { committer, events } = makeCommitter([{ ok: false, reason: 'unreadable', detail: 'response is not JSON' }])
    committer.enqueue(message('a'))
    await committer.whenIdle()
    expect(events).toEqual(['fenced unreadable'])
  })

  it('drops a rejected batch and carries on with the next', async () => {
    const { committer, events } = makeCommitter([{ ok: false, reason: 'rejected', detail: 'HTTP 400' }])
    committer.enqueue(message('a'))
    await nextTurn()
    committer.enqueue(message('b'))
    await committer.whenIdle()
    expect(events).toEqual(['rejected a', 'stored b'])
  })

  it('hands a batch whose commit throws to onBug WITH the batch, then carries on with the next', async () => {
    const { committer, events } = makeCommitter([new Error('boom')])
    committer.enqueue(message('a'))
    await nextTurn()
    committer.enqueue(message('b'))
    await committer.whenIdle()
    expect(events).toEqual(['bug boom a', 'stored b'])
  })

  it('hands a batch to onBug when a callback throws', async () => {
    const events: string[] = []
    const { committer } = makeCommitter([], {
      onStored: () => {
        throw new Error('bad listener')
      },
      onBug: (error, batch) => events.push(`bug ${(error as Error).message} ${batch.map((m) => m.clientId).join(',')}`),
    })
    committer.enqueue(message('a'))
    await committer.whenIdle()
    expect(events).toEqual(['bug bad listener a'])
  })
})
