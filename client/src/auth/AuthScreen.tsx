import { PASSWORD_RULE, USERNAME_RULE } from '@scalable-chat/backend-contract/rules'
import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { Navigate, useNavigate, useSearchParams } from 'react-router'
import { api } from '../api/api.js'
import { FormField } from '../components/FormField.js'
import styles from './AuthScreen.module.css'
import { describeAuthError, validateRegistration, type AuthErrors } from './describeAuthError.js'
import { GuestForm } from './GuestForm.js'
import { roomOfNextPath } from './roomOfNextPath.js'
import { safeNextPath } from './safeNextPath.js'
import { signIn } from './sessionStore.js'
import { useSession } from './useSession.js'
import { BrandMark } from '../components/BrandMark.js'

type Mode = 'signin' | 'register' | 'guest'

const TITLE: Record<Mode, string> = { signin: 'Sign in', register: 'Create an account', guest: 'Continue as a guest' }

/**
 * Whether to offer guest entry: only on the way to a room (a guest is limited to the room of the
 * link it opened), and only when the backend allows guests (`GET /api/auth/options`; until it has
 * answered, or if it fails, the screen is the plain sign-in).
 */
function useGuestsOffered(roomId: string | null): boolean {
  const [offered, setOffered] = useState(false)
  useEffect(() => {
    if (roomId === null) return
    let cancelled = false
    api.authOptions().then(
      (options) => !cancelled && setOffered(options.guests),
      () => {},
    )
    return () => {
      cancelled = true
    }
  }, [roomId])
  return roomId !== null && offered
}

/**
 * One calm screen to sign in or create an account, or, from a room link when the backend allows
 * it, to continue as a guest with a name only; returns to `?next=` afterwards.
 */
export function AuthScreen() {
  const session = useSession()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  const next = safeNextPath(params.get('next'))
  const [mode, setMode] = useState<Mode>('signin')
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [errors, setErrors] = useState<AuthErrors>({})
  const [submitting, setSubmitting] = useState(false)
  const usernameRef = useRef<HTMLInputElement>(null)
  const passwordRef = useRef<HTMLInputElement>(null)
  const id = useId()
  const guestRoomId = roomOfNextPath(next)
  const guestsOffered = useGuestsOffered(guestRoomId)

  if (session && !submitting) return <Navigate to={next} replace />

  function switchMode(to: Mode) {
    setMode(to)
    setErrors({})
  }

  async function submit(event: FormEvent) {
    event.preventDefault()
    const found: AuthErrors =
      mode === 'register'
        ? validateRegistration(username, password)
        : {
            ...(username.trim() ? {} : { username: 'Enter your username.' }),
            ...(password ? {} : { password: 'Enter your password.' }),
          }
    if (found.username || found.password) {
      setErrors(found)
      ;(found.username ? usernameRef : passwordRef).current?.focus()
      return
    }
    setErrors({})
    setSubmitting(true)
    try {
      const credentials = { username: username.trim(), password }
      const response = mode === 'register' ? await api.register(credentials) : await api.login(credentials)
      signIn(response)
      navigate(next, { replace: true })
    } catch (error) {
      const described = describeAuthError(error)
      setErrors(described)
      if (described.username) usernameRef.current?.focus()
      else if (described.password) passwordRef.current?.focus()
      setSubmitting(false)
    }
  }

  const title = TITLE[mode]
  return (
    <main className={styles.page}>
      <title>{`${title} · Scalable Chat`}</title>
      <div className={styles.card}>
        <div className={styles.brand}>
          <BrandMark />
          Scalable Chat
        </div>
        <h1>{title}</h1>
        <p className={styles.subtitle}>
          {mode === 'guest'
            ? 'Enter this room with a name only. Your visit is limited to this room and ends after a while.'
            : next.startsWith('/rooms/')
              ? 'Sign in to join the room you were invited to.'
              : 'Real-time rooms for you and your people.'}
        </p>

        <div className={styles.toggle} role="group" aria-label="Choose">
          <button type="button" aria-pressed={mode === 'signin'} onClick={() => switchMode('signin')}>
            Sign in
          </button>
          <button type="button" aria-pressed={mode === 'register'} onClick={() => switchMode('register')}>
            Create account
          </button>
        </div>

        {mode === 'guest' && guestRoomId !== null ? (
          <GuestForm roomId={guestRoomId} onSubmitting={setSubmitting} onEntered={() => navigate(next, { replace: true })} />
        ) : (
          <form className={styles.form} onSubmit={submit} noValidate>
            <FormField
              inputRef={usernameRef}
              id={`${id}-username`}
              label="Username"
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              error={errors.username}
              hint={mode === 'register' ? `${USERNAME_RULE.minLength}–${USERNAME_RULE.maxLength} letters, digits, _ or -` : undefined}
            />
            <FormField
              inputRef={passwordRef}
              id={`${id}-password`}
              label="Password"
              type="password"
              name="password"
              autoComplete={mode === 'register' ? 'new-password' : 'current-password'}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={errors.password}
              hint={mode === 'register' ? `At least ${PASSWORD_RULE.minLength} characters` : undefined}
            />
            <div role="alert" className={styles.formError}>
              {errors.form}
            </div>
            <button type="submit" className="btn btn-primary" disabled={submitting}>
              {submitting ? (mode === 'signin' ? 'Signing in…' : 'Creating account…') : title}
            </button>
          </form>
        )}
        {guestsOffered && mode !== 'guest' && (
          <div className={styles.guestOffer}>
            <span className={styles.or}>or</span>
            <button type="button" className="btn" onClick={() => switchMode('guest')}>
              Continue as a guest
            </button>
          </div>
        )}
      </div>
    </main>
  )
}
