import { Writable } from 'node:stream'
import type { CommitResponse, NewEntry, NewMessage } from '@scalable-chat/backend-contract/internal'
import { pino } from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { BackendResult } from '../src/backendApi/BackendApi.js'
import { GroupCommitter, RETRY_BASE_DELAY_MS, type CommitOutcome, type CommitTarget } from '../src/room/GroupCommitter.js'

function message(clientId: string): NewMessage {
  return { kind: 'message', id: crypto.randomUUID(), clientId, userId: 'alice', username: 'alice', text: clientId, createdAt: new Date(0).toISOString() }
}

const stored = (batch: NewEntry[]): BackendResult<CommitResponse> => ({
  ok: true,
  value: { results: batch.map((m, i) => ({ message: { ...m, text: '', seq: i + 1 } })), seq: batch.length },
})

/**
 * A committer whose target's `commit` answers from `answers` in turn (then stores), recording every
 * call; `events` lists each outcome and each retry the committer logged, in order.
 */
function makeCommitter(answers: Array<BackendResult<CommitResponse> | Error> = [], settled?: CommitTarget['settled'], maxBatchSize?: number) {
  const calls: string[][] = []
  const events: string[] = []
  const ids = (batch: NewEntry[]) => batch.map((m) => m.clientId).join(',')
  const outcomeText = (batch: NewEntry[], outcome: CommitOutcome) =>
    outcome.kind === 'stored' ? `stored ${ids(batch)}` : outcome.kind === 'fenced' ? `fenced ${outcome.reason}` : `dropped ${ids(batch)}${outcome.error ? ` (${(outcome.error as Error).message})` : ''}`
  const target: CommitTarget = {
    async commit(batch) {
      calls.push(batch.map((m) => m.clientId))
      const answer = answers.shift()
      if (answer instanceof Error) throw answer
      return answer ?? stored(batch)
    },
    settled: settled ?? ((batch, outcome) => void events.push(outcomeText(batch, outcome))),
  }
  const log = new Writable({
    write(line: Buffer, _encoding, done) {
      const entry = JSON.parse(line.toString()) as { msg: string; attempt?: number; delayMs?: number }
      events.push(entry.msg === 'commit failed; retrying' ? `retry ${entry.attempt} in ${entry.delayMs}` : entry.msg)
      done()
    },
  })
  const committer = new GroupCommitter(target, { logger: pino({ level: 'warn' }, log), ...(maxBatchSize ? { maxBatchSize } : {}) })
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
    const { committer, calls } = makeCommitter([], undefined, 2)
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
    expect(events).toEqual(['dropped a', 'stored b'])
  })

  it('reports a batch whose commit throws as dropped WITH the error, then carries on with the next', async () => {
    const { committer, events } = makeCommitter([new Error('boom')])
    committer.enqueue(message('a'))
    await nextTurn()
    committer.enqueue(message('b'))
    await committer.whenIdle()
    expect(events).toEqual(['dropped a (boom)', 'stored b'])
  })

  it('logs a target whose settled throws and carries on with the next batch (no unhandled rejection)', async () => {
    let first = true
    const { committer, events, calls } = makeCommitter([], () => {
      if (first) {
        first = false
        throw new Error('bad listener')
      }
    })
    committer.enqueue(message('a'))
    await nextTurn()
    committer.enqueue(message('b'))
    await committer.whenIdle()
    expect(events).toEqual(['settling a batch failed'])
    expect(calls).toEqual([['a'], ['b']])
  })
})
