import { describe, expect, it } from 'vitest'
import { messageLine } from '../cli/chatLines.js'
import { terminalSafe } from '../cli/terminalSafe.js'

describe('terminalSafe', () => {
  it('shows C0 controls as Control Pictures, DEL as ␡ and C1 controls as U+FFFD, never as themselves', () => {
    expect(terminalSafe('\u001b[2J\u0007\u0008\r\u007f\u009b\u0085')).toBe('␛[2J␇␈␍␡\ufffd\ufffd')
  })

  it('replaces bidirectional overrides and isolates', () => {
    expect(terminalSafe('a\u202eb\u2066c\u2069')).toBe('a\ufffdb\ufffdc\ufffd')
  })

  it('keeps newlines, indenting the next line, and turns a tab into a space', () => {
    expect(terminalSafe('one\ntwo\tthree', '    ')).toBe('one\n    two three')
  })

  it('does NOT change ordinary text, emoji or other scripts', () => {
    const text = 'héllo 👋 Привет 你好 ✓'
    expect(terminalSafe(text)).toBe(text)
  })
})

describe('messageLine', () => {
  it('prints time, name and text, with continuation lines under the text', () => {
    const createdAt = new Date(2026, 0, 5, 9, 7).toISOString()
    const line = messageLine({ seq: 1, id: 'm1', userId: 'u1', username: 'ana', text: 'hi\nthere', clientId: 'c1', createdAt })
    expect(line).toBe('#1 [09:07] ana: hi\n                there')
  })
  it('marks an edited message, lists its reactions, and prints a deleted one without its text', () => {
    const createdAt = new Date(2026, 0, 5, 9, 7).toISOString()
    const message = { seq: 4, id: 'm4', userId: 'u1', username: 'ana', text: 'fixed', clientId: 'c4', createdAt }
    const reactions = [{ emoji: '👍', userIds: ['a', 'b'] }, { emoji: '🎉', userIds: ['c'] }]
    expect(messageLine({ ...message, editedAt: createdAt, reactions })).toBe('#4 [09:07] ana: fixed (edited)  [👍 2, 🎉 1]')
    expect(messageLine({ ...message, text: '', deleted: true })).toBe('#4 [09:07] ana: (message deleted)')
  })
})
