import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react'
import styles from './EditMessageForm.module.css'

/**
 * Editing a message in place: Enter saves (Shift+Enter is a new line), Escape cancels. Saving it
 * unchanged, or empty, only closes the editor: emptying a message is not deleting it.
 */
export function EditMessageForm({
  text,
  maxLength,
  onSave,
  onCancel,
}: {
  text: string
  maxLength: number
  onSave: (text: string) => void
  onCancel: () => void
}) {
  const [value, setValue] = useState(text)
  const field = useRef<HTMLTextAreaElement>(null)

  useEffect(() => {
    const element = field.current
    if (!element) return
    element.focus()
    element.setSelectionRange(element.value.length, element.value.length)
  }, [])

  function save(event?: FormEvent) {
    event?.preventDefault()
    const trimmed = value.trim()
    if (trimmed && trimmed !== text.trim()) onSave(trimmed)
    else onCancel()
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Escape') {
      event.preventDefault()
      onCancel()
    } else if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      save(event)
    }
  }

  const tooLong = value.trim().length > maxLength
  return (
    <form className={styles.form} onSubmit={save}>
      <label className="visually-hidden" htmlFor="edit-message">
        Edit message
      </label>
      <textarea
        id="edit-message"
        ref={field}
        className={styles.field}
        value={value}
        rows={Math.min(6, value.split('\n').length)}
        onChange={(event) => setValue(event.target.value)}
        onKeyDown={onKeyDown}
        aria-invalid={tooLong}
        aria-describedby="edit-message-help"
      />
      <div className={styles.bar}>
        <span id="edit-message-help" className={styles.help}>
          {tooLong ? `Too long: at most ${maxLength} characters` : 'Enter to save · Esc to cancel'}
        </span>
        <button type="button" className="btn btn-small btn-ghost" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn-small btn-primary" disabled={tooLong}>
          Save
        </button>
      </div>
    </form>
  )
}
