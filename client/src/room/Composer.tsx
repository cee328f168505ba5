import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react'
import styles from './Room.module.css'

/** The counter appears when this few characters are left. */
const COUNTER_THRESHOLD = 100

/**
 * The message box: Enter sends, Shift+Enter starts a new line. It stays usable while
 * reconnecting (messages wait as pending) and shows a counter near the length limit.
 */
export function Composer({
  roomName,
  maxLength,
  disabled,
  onSend,
  onTyping,
  onStopTyping,
}: {
  roomName: string
  maxLength: number
  disabled: boolean
  onSend: (text: string) => void
  onTyping: (text: string) => void
  onStopTyping: () => void
}) {
  const [text, setText] = useState('')
  const textarea = useRef<HTMLTextAreaElement>(null)
  const id = useId()
  const length = text.trim().length
  const remaining = maxLength - length
  const tooLong = remaining < 0
  const canSend = !disabled && length > 0 && !tooLong

  function send(event?: FormEvent) {
    event?.preventDefault()
    if (!canSend) return
    onSend(text)
    onStopTyping()
    setText('')
    textarea.current?.focus()
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // isComposing: Enter also confirms an IME composition (Japanese, Chinese…); that is not a send.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault()
      send()
    }
  }

  return (
    <form className={styles.composer} onSubmit={send}>
      <label htmlFor={`${id}-text`} className="visually-hidden">
        Message {roomName}
      </label>
      <textarea
        ref={textarea}
        id={`${id}-text`}
        className={`input ${styles.textarea}`}
        rows={1}
        placeholder={`Message ${roomName}`}
        value={text}
        disabled={disabled}
        onChange={(e) => {
          setText(e.target.value)
          onTyping(e.target.value)
        }}
        onKeyDown={onKeyDown}
        onBlur={onStopTyping}
        aria-invalid={tooLong ? true : undefined}
        aria-describedby={`${id}-help${remaining <= COUNTER_THRESHOLD ? ` ${id}-counter` : ''}`}
      />
      <span id={`${id}-help`} className="visually-hidden">
        Enter sends, Shift+Enter starts a new line.
      </span>
      {remaining <= COUNTER_THRESHOLD && (
        <span id={`${id}-counter`} className={tooLong ? `${styles.counter} ${styles.counterOver}` : styles.counter}>
          {tooLong ? `${-remaining} too many` : `${remaining} left`}
        </span>
      )}
      <button type="submit" className={`btn btn-primary ${styles.send}`} disabled={!canSend} aria-label="Send">
        <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
          <path d="M3 20.5 21 12 3 3.5l2.5 8.5L3 20.5Zm2.5-8.5H13" fill="none" stroke="currentColor" strokeWidth="2" strokeLinejoin="round" />
        </svg>
      </button>
    </form>
  )
}
