import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { MessageText } from '../src/room/MessageText.js'

const HOSTILE = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg onload=alert(1)>',
  'javascript:alert(1)',
  '[click](javascript:alert(1)) data:text/html,<b>x</b>',
  'http://example.com/"><script>alert(1)</script>',
  '&lt;b&gt; already escaped',
]

describe('nothing a user types is rendered as HTML', () => {
  it('renders hostile message text as escaped text, with only http(s) links', () => {
    for (const text of HOSTILE) {
      const html = renderToStaticMarkup(createElement(MessageText, { text }))
      expect(html).not.toMatch(/<(script|img|svg)\b/i)
      // Escaped text shows `&lt;img … onerror=`; a real tag with an event handler would start with `<`.
      expect(html).not.toMatch(/<[a-z]+[^>]*\son\w+=/i)
      expect(html).toContain('<span>')
      for (const [, href] of html.matchAll(/href="([^"]*)"/g)) expect(href).toMatch(/^https?:\/\//)
    }
  })

  it('no source file injects raw HTML (dangerouslySetInnerHTML, innerHTML, insertAdjacentHTML, document.write)', async () => {
    const files = (await readdir(new URL('../src', import.meta.url), { recursive: true })).filter((f) => /\.tsx?$/.test(f))
    expect(files.length).toBeGreaterThan(10)
    for (const file of files) {
      const source = await readFile(join(new URL('../src', import.meta.url).pathname, file), 'utf8')
      expect(source, file).not.toMatch(/dangerouslySetInnerHTML|\.innerHTML\s*=|\.outerHTML\s*=|insertAdjacentHTML|document\.write/)
    }
  })
})
