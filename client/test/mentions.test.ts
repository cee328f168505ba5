import { describe, expect, it } from 'vitest'
import { mentions, splitMentions } from '../src/room/mentions.js'

describe('mentions', () => {
  it('marks @username where a username can start and end, without case, and says which is this user', () => {
    expect(splitMentions('hi @Ana, and @bo_2!', 'ana')).toEqual([
      { type: 'text', text: 'hi ' },
      { type: 'mention', text: '@Ana', you: true },
      { type: 'text', text: ', and ' },
      { type: 'mention', text: '@bo_2', you: false },
      { type: 'text', text: '!' },
    ])
  })

  it('leaves e-mail addresses, too-short names and a lone @ as text', () => {
    expect(splitMentions('mail ana@example.com or @x or @', 'ana')).toEqual([{ type: 'text', text: 'mail ana@example.com or @x or @' }])
  })

  it('says whether a text mentions a user', () => {
    expect(mentions('@ANA look', 'ana')).toBe(true)
    expect(mentions('@anastasia look', 'ana')).toBe(false)
    expect(mentions('@ana look', undefined)).toBe(false)
  })
})
