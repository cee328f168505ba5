import { useEffect, useRef, useState } from 'react'
import styles from './MessageActions.module.css'

/** The quick reactions the menu offers (any emoji works on the wire; these are one tap away). */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '😢', '🙏', '👀'] as const

/** About the menu's height with its two rows of emoji and the edit/delete row. */
const MENU_HEIGHT_PX = 150

/**
 * One message's actions behind a single "⋯" button (one tab stop per message, not eight): react,
 * and for one's own message edit and delete, with the delete confirmed in place. Escape or a click
 * elsewhere closes it and gives the focus back to the button.
 */
export function MessageActions({
  own,
  reacted,
  onReact,
  onEdit,
  onDelete,
}: {
  own: boolean
  /** The emoji this user already put on the message (pressed in the menu; choosing one takes it back). */
  reacted: ReadonlySet<string>
  onReact: (emoji: string, on: boolean) => void
  onEdit: () => void
  onDelete: () => void
}) {
  const [open, setOpen] = useState<'menu' | 'confirm' | null>(null)
  /** Whether the menu opens upwards: there is not room for it below, within the scrolling list. */
  const [up, setUp] = useState(false)
  const trigger = useRef<HTMLButtonElement>(null)
  const menu = useRef<HTMLDivElement>(null)

  useEffect(() => {
    if (!open) return
    menu.current?.querySelector<HTMLButtonElement>('button')?.focus()
    const outside = (event: PointerEvent) => {
      if (!menu.current?.contains(event.target as Node) && !trigger.current?.contains(event.target as Node)) setOpen(null)
    }
    document.addEventListener('pointerdown', outside)
    return () => document.removeEventListener('pointerdown', outside)
  }, [open])

  function toggle() {
    if (open) return close()
    const button = trigger.current
    const list = button?.closest('[role="region"]')
    if (button && list) setUp(list.getBoundingClientRect().bottom - button.getBoundingClientRect().bottom < MENU_HEIGHT_PX)
    setOpen('menu')
  }

  function close() {
    setOpen(null)
    trigger.current?.focus()
  }

  function choose(action: () => void) {
    action()
    close()
  }

  return (
    <div className={[styles.actions, own && styles.start, open && styles.open, up && styles.up].filter(Boolean).join(' ')}>
      <button
        ref={trigger}
        type="button"
        className={styles.trigger}
        aria-label="Message actions"
        aria-haspopup="true"
        aria-expanded={open !== null}
        onClick={toggle}
      >
        ⋯
      </button>
      {open && (
        <div
          ref={menu}
          className={styles.menu}
          role="group"
          aria-label="Message actions"
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              event.stopPropagation()
              close()
            }
          }}
        >
          {open === 'menu' ? (
            <>
              <div className={styles.emoji} role="group" aria-label="React">
                {QUICK_REACTIONS.map((emoji) => (
                  <button
                    key={emoji}
                    type="button"
                    className={styles.emojiButton}
                    aria-pressed={reacted.has(emoji)}
                    aria-label={`React with ${emoji}`}
                    onClick={() => choose(() => onReact(emoji, !reacted.has(emoji)))}
                  >
                    {emoji}
                  </button>
                ))}
              </div>
              {own && (
                <div className={styles.own}>
                  <button type="button" className="btn btn-small btn-ghost" onClick={() => choose(onEdit)}>
                    Edit
                  </button>
                  <button type="button" className={`btn btn-small btn-ghost ${styles.danger}`} onClick={() => setOpen('confirm')}>
                    Delete
                  </button>
                </div>
              )}
            </>
          ) : (
            <div className={styles.confirm}>
              <span>Delete this message for everyone?</span>
              <button type="button" className="btn btn-small btn-danger" onClick={() => choose(onDelete)}>
                Delete
              </button>
              <button type="button" className="btn btn-small btn-ghost" onClick={close}>
                Cancel
              </button>
            </div>
          )}
        </div>
      )}
    </div>
  )
}
