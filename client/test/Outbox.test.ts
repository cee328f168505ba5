import type { ClientMessage } from '@scalable-chat/protocol'
import { ErrorCode } from '@scalable-chat/protocol/codes'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { PendingMessage } from '../src/room/connection/chatReducer.js'
import { Outbox } from '../src/room/connection/Outbox.js'

const LIMITS = { maxMessageLength: 500, messagesPerMinute: 30, messageBurst: 2, burstWindowMs: 2000, typingTimeoutMs: 6000, cursorIntervalMs: 50, maxFrameBytes: 16_384 }

function pending(clientId: string, state: PendingMessage['state'] = 'sending'): PendingMessage {
  return { clientId, text: `text ${clientId}`, createdAt: new Date(0).toISOString(), state }
}
const frame = (message: PendingMessage) => ({ type: 'send' as const, clientId: message.clientId, text: message.text })
/** What the connection hands `resume`: the clientIds still sending, in order. */
const sending = (messages: PendingMessage[]) => messages.filter((m) => m.state === 'sending').map((m) => m.clientId)

/** An outbox over a link that is live while `live.value`, recording what went out. */
function makeOutbox(messages: PendingMessage[]) {
  const sent: string[] = []
  const live = { value: true }
  const outbox = new Outbox({
    transmit: (frame: ClientMessage) => {
      if (!live.value || frame.type !== 'send') return false
      sent.push(frame.clientId)
      return true
    },
    stillSending: (clientId) => {
      const message = messages.find((m) => m.clientId === clientId && m.state === 'sending')
      return message && frame(message)
    },
  })
  return { outbox, sent, live }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('Outbox', () => {
  it('sends a new message at once while nothing is queued', () => {
    const { outbox, sent } = makeOutbox([])
    outbox.send(frame(pending('a')))
    expect(sent).toEqual(['a'])
  })

  it('after a snapshot, re-sends the unacknowledged messages in order, at most the announced burst at a time', () => {
    const backlog = [pending('a'), pending('b'), pending('c'), pending('failed', 'failed')]
    const { outbox, sent } = makeOutbox(backlog)
    outbox.resume(sending(backlog), LIMITS)
    expect(sent).toEqual(['a', 'b'])
    outbox.settled('a')
    expect(sent).toEqual(['a', 'b', 'c'])
  })

  it('queues a new message behind a backlog still going out, NOT ahead of it', () => {
    const backlog = [pending('a'), pending('b'), pending('c')]
    const { outbox, sent } = makeOutbox(backlog)
    outbox.resume(sending(backlog), LIMITS)
    const fresh = pending('new')
    backlog.push(fresh)
    outbox.send(frame(fresh))
    expect(sent).toEqual(['a', 'b'])
    for (const clientId of ['a', 'b', 'c']) outbox.settled(clientId)
    expect(sent).toEqual(['a', 'b', 'c', 'new'])
  })

  it('takes care of a paced re-send refused as rate-limited: it goes again after the announced window, and has NOT failed', () => {
    vi.useFakeTimers()
    const backlog = [pending('a'), pending('b')]
    const { outbox, sent } = makeOutbox(backlog)
    outbox.resume(sending(backlog), LIMITS)
    expect(outbox.refused('b', ErrorCode.RATE_LIMITED)).toBe(true)
    vi.advanceTimersByTime(LIMITS.burstWindowMs - 1)
    expect(sent).toEqual(['a', 'b'])
    vi.advanceTimersByTime(1)
    expect(sent).toEqual(['a', 'b', 'b'])
  })

  it('leaves any other refusal to the caller (the message failed), and a rate limit of a message it did not re-send', () => {
    const { outbox } = makeOutbox([])
    expect(outbox.refused('a', ErrorCode.MESSAGE_TOO_LONG)).toBe(false)
    expect(outbox.refused('fresh', ErrorCode.RATE_LIMITED)).toBe(false)
  })

  it('starts over after a drop: nothing of the old backlog goes out until the next snapshot', () => {
    const backlog = [pending('a'), pending('b'), pending('c')]
    const { outbox, sent } = makeOutbox(backlog)
    outbox.resume(sending(backlog), LIMITS)
    outbox.reset()
    outbox.settled('a')
    expect(sent).toEqual(['a', 'b'])
    outbox.send(frame(pending('d')))
    expect(sent).toEqual(['a', 'b', 'd'])
  })
})
