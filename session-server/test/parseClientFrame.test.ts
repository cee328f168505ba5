import { describe, expect, it } from 'vitest'
import { parseClientFrame } from '../src/connection/parseClientFrame.js'
import { StrikeCounter } from '../src/connection/StrikeCounter.js'
import { ErrorCode } from '@scalable-chat/protocol'

const text = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value))

describe('parseClientFrame', () => {
  it('accepts each client message type', () => {
    for (const frame of [
      { type: 'send', clientId: 'abc_1-2', text: 'hi' },
      { type: 'typing', typing: false },
      { type: 'status', status: 'dnd' },
    ]) {
      expect(parseClientFrame(text(frame), false)).toEqual({ ok: true, message: frame })
    }
  })

  it('accepts a fragmented frame delivered as several buffers', () => {
    const parts = [Buffer.from('{"type":"typ'), Buffer.from('ing","typing":true}')]
    expect(parseClientFrame(parts, false)).toMatchObject({ ok: true })
  })

  it.each([
    ['binary', text({ type: 'typing', typing: true }), true, ErrorCode.BINARY_NOT_SUPPORTED],
    ['bad JSON', text('{"type":'), false, ErrorCode.INVALID_JSON],
    ['a JSON string', text('"send"'), false, ErrorCode.INVALID_MESSAGE],
    ['no type', text({ text: 'hi' }), false, ErrorCode.INVALID_MESSAGE],
    ['an unknown type', text({ type: 'ping' }), false, ErrorCode.UNKNOWN_TYPE],
    ['an extra field', text({ type: 'typing', typing: true, extra: 1 }), false, ErrorCode.INVALID_MESSAGE],
    ['a too long clientId', text({ type: 'send', clientId: 'x'.repeat(65), text: 'hi' }), false, ErrorCode.INVALID_MESSAGE],
  ])('refuses %s', (_name, data, isBinary, code) => {
    expect(parseClientFrame(data, isBinary)).toMatchObject({ ok: false, code })
  })

  it('names the clientId of a refused send when it is a valid one, and only then', () => {
    expect(parseClientFrame(text({ type: 'send', clientId: 'c1', text: 7 }), false)).toMatchObject({ clientId: 'c1' })
    expect(parseClientFrame(text({ type: 'send', clientId: 'bad id', text: 'x' }), false)).not.toHaveProperty('clientId')
  })
})

describe('StrikeCounter', () => {
  it('reaches the limit only with maxStrikes strikes inside the window', () => {
    const strikes = new StrikeCounter(3, 1000)
    expect(strikes.strike(0)).toBe(false)
    expect(strikes.strike(900)).toBe(false)
    expect(strikes.strike(1200)).toBe(false) // the first one has left the window
    expect(strikes.strike(1300)).toBe(true)
  })
})
