import { describe, expect, it } from 'vitest'
import { linkify } from '../src/room/linkify.js'

describe('linkify', () => {
  it('leaves text without links as one text part', () => {
    expect(linkify('hello there')).toEqual([{ type: 'text', text: 'hello there' }])
  })

  it('turns http and https URLs into links', () => {
    expect(linkify('see https://example.com/a?b=1 and http://x.org')).toEqual([
      { type: 'text', text: 'see ' },
      { type: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { type: 'text', text: ' and ' },
      { type: 'link', text: 'http://x.org', href: 'http://x.org/' },
    ])
  })

  it('does not include sentence punctuation at the end of a link', () => {
    expect(linkify('go to https://example.com.')).toEqual([
      { type: 'text', text: 'go to ' },
      { type: 'link', text: 'https://example.com', href: 'https://example.com/' },
      { type: 'text', text: '.' },
    ])
  })

  it('keeps a closing parenthesis that the URL opened, and drops one that it did not', () => {
    const wiki = 'https://en.wikipedia.org/wiki/Node_(disambiguation)'
    expect(linkify(wiki)[0]).toMatchObject({ type: 'link', text: wiki })
    expect(linkify('(see https://example.com)')).toEqual([
      { type: 'text', text: '(see ' },
      { type: 'link', text: 'https://example.com', href: 'https://example.com/' },
      { type: 'text', text: ')' },
    ])
  })

  it('does NOT link javascript:, data: or other schemes', () => {
    for (const text of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'ftp://example.com', 'file:///etc/passwd']) {
      expect(linkify(text).every((part) => part.type === 'text')).toBe(true)
    }
  })

  it('keeps HTML as plain text (it is rendered as text nodes)', () => {
    expect(linkify('<img src=x onerror=alert(1)>')).toEqual([{ type: 'text', text: '<img src=x onerror=alert(1)>' }])
  })

  it('returns no parts for empty text', () => {
    expect(linkify('')).toEqual([])
  })
})
