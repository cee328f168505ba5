import { describe, expect, it } from 'vitest'
import { parseRoomLink } from '../src/lobby/parseRoomLink.js'

describe('parseRoomLink', () => {
  it('accepts a bare room id, trimmed', () => {
    expect(parseRoomLink('  Abc123_-xyz ')).toBe('Abc123_-xyz')
  })
  it('accepts a full room link from any host', () => {
    expect(parseRoomLink('http://localhost:5173/rooms/Abc123_-xyz')).toBe('Abc123_-xyz')
    expect(parseRoomLink('https://chat.example.com/rooms/Abc123_-xyz/')).toBe('Abc123_-xyz')
  })
  it('rejects text that is neither', () => {
    for (const input of ['', 'hello world', 'short', 'https://example.com/', 'https://x.org/rooms/', 'javascript:alert(1)']) {
      expect(parseRoomLink(input)).toBeNull()
    }
  })
})
