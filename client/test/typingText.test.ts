import { describe, expect, it } from 'vitest'
import { typingText } from '../src/room/typingText.js'

const ana = { userId: 'a', username: 'Ana' }
const bo = { userId: 'b', username: 'Bo' }
const cy = { userId: 'c', username: 'Cy' }

describe('typingText', () => {
  it('is empty when nobody is typing', () => {
    expect(typingText([])).toBe('')
  })
  it('names one person', () => {
    expect(typingText([ana])).toBe('Ana is typing…')
  })
  it('names two people', () => {
    expect(typingText([ana, bo])).toBe('Ana and Bo are typing…')
  })
  it('counts three or more people', () => {
    expect(typingText([ana, bo, cy])).toBe('3 people are typing…')
  })
})
