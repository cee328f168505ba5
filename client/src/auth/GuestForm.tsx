import { USERNAME_RULE } from '@scalable-chat/backend-contract/rules'
import { useId, useRef, useState, type FormEvent } from 'react'
import { api } from '../api/api.js'
import { FormField } from '../components/FormField.js'
import styles from './AuthScreen.module.css'
import { validateUsername } from './describeAuthError.js'
import { describeGuestError, type GuestErrors } from './describeGuestError.js'
import { signIn } from './sessionStore.js'

/**
 * "Continue as a guest": a name only, for the room of the link that was opened. The session it
 * starts is a guest's: limited to that room, and over when the token expires (nothing renews it).
 */
export function GuestForm({ roomId, onSubmitting, onEntered }: { roomId: string; onSubmitting: (busy: boolean) => void; onEntered: () => void }) {
  const [name, setName] = useState('')
  const [errors, setErrors] = useState<GuestErrors>({})
  const [submitting, setSubmitting] = useState(false)
  const nameRef = useRef<HTMLInputElement>(null)
  const id = useId()

  async function submit(event: FormEvent) {
    event.preventDefault()
    const invalid = validateUsername(name, 'Name')
    if (invalid) {
      setErrors({ name: invalid })
      nameRef.current?.focus()
      return
    }
    setErrors({})
    setSubmitting(true)
    onSubmitting(true)
    try {
      signIn(await api.enterAsGuest(name.trim(), roomId))
      onEntered()
    } catch (error) {
      const described = describeGuestError(error)
      setErrors(described)
      if (described.name) nameRef.current?.focus()
      setSubmitting(false)
      onSubmitting(false)
    }
  }

  return (
    <form className={styles.form} onSubmit={submit} noValidate>
      <FormField
        inputRef={nameRef}
        id={`${id}-name`}
        label="Your name"
        name="nickname"
        autoComplete="nickname"
        autoCapitalize="none"
        spellCheck={false}
        // The form appears because the visitor chose it: their next keystroke is the name.
        autoFocus
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={errors.name}
        hint={`${USERNAME_RULE.minLength}–${USERNAME_RULE.maxLength} letters, digits, _ or -. The room sees it with a “guest” mark.`}
      />
      <div role="alert" className={styles.formError}>
        {errors.form}
      </div>
      <button type="submit" className="btn btn-primary" disabled={submitting}>
        {submitting ? 'Entering…' : 'Continue as a guest'}
      </button>
    </form>
  )
}
