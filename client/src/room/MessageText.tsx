import { linkify } from './linkify.js'

/**
 * Message text as React text nodes, with http(s) URLs as links that open in a new tab without
 * access to this page. Never HTML: whatever people type is shown, not interpreted.
 */
export function MessageText({ text }: { text: string }) {
  return (
    <>
      {linkify(text).map((part, index) =>
        part.type === 'link' ? (
          <a key={index} href={part.href} target="_blank" rel="noopener noreferrer">
            {part.text}
          </a>
        ) : (
          <span key={index}>{part.text}</span>
        ),
      )}
    </>
  )
}
