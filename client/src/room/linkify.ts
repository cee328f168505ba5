export type TextPart = { type: 'text'; text: string } | { type: 'link'; text: string; href: string }

// Candidates only; each is checked with the URL parser before it becomes a link.
const URL_CANDIDATE = /\bhttps?:\/\/[^\s<>"'`]+/gi
const TRAILING_PUNCTUATION = /[.,;:!?'"*_~]+$/

/**
 * Splits message text into plain text and http(s) links, for rendering as React text nodes and
 * anchors (never as HTML). Other schemes (`javascript:`, `data:`…) stay plain text. Punctuation
 * that ends a sentence is not part of the link, and a closing parenthesis is only when the URL
 * opened one (as Wikipedia links do).
 *
 * @example linkify('see https://example.com.') // text "see ", link "https://example.com", text "."
 */
export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = []
  let cursor = 0
  for (const match of text.matchAll(URL_CANDIDATE)) {
    const start = match.index
    const candidate = trimUrl(match[0])
    const href = safeHref(candidate)
    if (!href) continue
    if (start > cursor) parts.push({ type: 'text', text: text.slice(cursor, start) })
    parts.push({ type: 'link', text: candidate, href })
    cursor = start + candidate.length
  }
  if (cursor < text.length) parts.push({ type: 'text', text: text.slice(cursor) })
  return parts
}

function trimUrl(url: string): string {
  let result = url
  for (;;) {
    const trimmed = result.replace(TRAILING_PUNCTUATION, '')
    const closing = trimmed.match(/[)\]]$/)
    if (closing) {
      const open = closing[0] === ')' ? '(' : '['
      if (count(trimmed, open) < count(trimmed, closing[0])) {
        result = trimmed.slice(0, -1)
        continue
      }
    }
    if (trimmed === result) return result
    result = trimmed
  }
}

function count(text: string, char: string): number {
  return text.split(char).length - 1
}

function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
    if (!url.hostname) return null
    return url.href
  } catch {
    return null
  }
}
