import { linkify } from './linkify.js'
import { splitMentions } from './mentions.js'
import styles from './MessageList.module.css'

/**
 * Message text as React text nodes, with http(s) URLs as links that open in a new tab without
 * access to this page, and `@username` mentions marked (this user's own more strongly). Never
 * HTML: whatever people type is shown, not interpreted.
 */
export function MessageText({ text, ownUsername }: { text: string; ownUsername?: string | undefined }) {
  return (
    <>
      {linkify(text).map((part, index) =>
        part.type === 'link' ? (
          <a key={index} href={part.href} target="_blank" rel="noopener noreferrer">
            {part.text}
          </a>
        ) : (
          splitMentions(part.text, ownUsername).map((piece, at) =>
            piece.type === 'mention' ? (
              <mark key={`${index}-${at}`} className={piece.you ? `${styles.mention} ${styles.mentionYou}` : styles.mention}>
                {piece.text}
              </mark>
            ) : (
              <span key={`${index}-${at}`}>{piece.text}</span>
            ),
          )
        ),
      )}
    </>
  )
}
