import type { InputHTMLAttributes, ReactNode, Ref } from 'react'
import styles from './FormField.module.css'

export interface FormFieldProps extends InputHTMLAttributes<HTMLInputElement> {
  /** The input's id; its error and hint get ids derived from it. */
  id: string
  label: string
  /** Shown (and linked to the input) instead of the hint while set. */
  error?: string | null | undefined
  hint?: string | undefined
  /** Announce the error as soon as it appears (a form that does not move focus to the field). */
  announceError?: boolean
  /** A button beside the input, on the same line. */
  action?: ReactNode
  inputRef?: Ref<HTMLInputElement>
}

/**
 * A labelled input with its error or, when valid, its hint, linked by `aria-describedby` and
 * marked `aria-invalid`, so that a screen reader reads what is wrong when the field gets focus.
 */
export function FormField({ id, label, error, hint, announceError = false, action, inputRef, ...input }: FormFieldProps) {
  const note = error ? { id: `${id}-error`, text: error } : hint ? { id: `${id}-hint`, text: hint } : undefined
  const field = (
    <input
      ref={inputRef}
      id={id}
      className="input"
      {...input}
      aria-invalid={error ? true : undefined}
      aria-describedby={note?.id}
    />
  )
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {action ? (
        <div className={styles.inline}>
          {field}
          {action}
        </div>
      ) : (
        field
      )}
      {note && (
        <p id={note.id} className={error ? 'field-error' : 'field-hint'} role={error && announceError ? 'alert' : undefined}>
          {note.text}
        </p>
      )}
    </div>
  )
}
