import { describe, expect, it } from 'vitest'
import { typingText } from '../src/room/typingText.js'

const ana = { userId: 'a', username: 'Ana' }
const bo = { userId: 'b', username: 'Bo' }
const cy = { userId: 'c', username: 'Cy' }
const me = { userId: 'me', username: 'Me' }

describe('typingText', () => {
  it('is empty when nobody is typing', () => {
    expect(typingText([], 'me')).toBe('')
  })
  it('names one person', () => {
    expect(typingText([ana], 'me')).toBe('Ana is typing…')
  })
  it('names two people', () => {
    expect(typingText([ana, bo], 'me')).toBe('Ana and Bo are typing…')
  })
  it('counts three or more people', () => {
    expect(typingText([ana, bo, cy], 'me')).toBe('3 people are typing…')
  })
  it('does NOT show the user their own typing', () => {
    expect(typingText([me], 'me')).toBe('')
    expect(typingText([me, ana], 'me')).toBe('Ana is typing…')
  })
})
