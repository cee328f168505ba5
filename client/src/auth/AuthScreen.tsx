import { useId, useRef, useState, type FormEvent } from 'react'
import { Navigate, useNavigate, useSearchParams } from 'react-router'
import { api } from '../api/api.js'
import styles from './AuthScreen.module.css'
import { describeAuthError, validateRegistration, type AuthErrors } from './describeAuthError.js'
import { safeNextPath } from './safeNextPath.js'
import { signIn } from './sessionStore.js'
import { useSession } from './useSession.js'

type Mode = 'signin' | 'register'

/** One calm screen to sign in or create an account; returns to `?next=` afterwards. */
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

  const title = mode === 'signin' ? 'Sign in' : 'Create an account'
  return (
    <main className={styles.page}>
      <title>{`${title} · Scalable Chat`}</title>
      <div className={styles.card}>
        <div className={styles.brand}>
          <span className={styles.logo} aria-hidden="true" />
          Scalable Chat
        </div>
        <h1 className={styles.title}>{title}</h1>
        <p className={styles.subtitle}>
          {next.startsWith('/rooms/') ? 'Sign in to join the room you were invited to.' : 'Real-time rooms for you and your people.'}
        </p>

        <div className={styles.toggle} role="group" aria-label="Choose">
          <button type="button" aria-pressed={mode === 'signin'} onClick={() => switchMode('signin')}>
            Sign in
          </button>
          <button type="button" aria-pressed={mode === 'register'} onClick={() => switchMode('register')}>
            Create account
          </button>
        </div>

        <form className={styles.form} onSubmit={submit} noValidate>
          <div className="field">
            <label htmlFor={`${id}-username`}>Username</label>
            <input
              ref={usernameRef}
              id={`${id}-username`}
              className="input"
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              aria-invalid={errors.username ? true : undefined}
              aria-describedby={errors.username ? `${id}-username-error` : mode === 'register' ? `${id}-username-hint` : undefined}
            />
            {errors.username ? (
              <p id={`${id}-username-error`} className="field-error">
                {errors.username}
              </p>
            ) : (
              mode === 'register' && (
                <p id={`${id}-username-hint`} className="field-hint">
                  3–32 letters, digits, _ or -
                </p>
              )
            )}
          </div>
          <div className="field">
            <label htmlFor={`${id}-password`}>Password</label>
            <input
              ref={passwordRef}
              id={`${id}-password`}
              className="input"
              type="password"
              name="password"
              autoComplete={mode === 'register' ? 'new-password' : 'current-password'}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={errors.password ? true : undefined}
              aria-describedby={errors.password ? `${id}-password-error` : mode === 'register' ? `${id}-password-hint` : undefined}
            />
            {errors.password ? (
              <p id={`${id}-password-error`} className="field-error">
                {errors.password}
              </p>
            ) : (
              mode === 'register' && (
                <p id={`${id}-password-hint`} className="field-hint">
                  At least 8 characters
                </p>
              )
            )}
          </div>
          <div role="alert" className={styles.formError}>
            {errors.form}
          </div>
          <button type="submit" className="btn btn-primary" disabled={submitting}>
            {submitting ? (mode === 'signin' ? 'Signing in…' : 'Creating account…') : title}
          </button>
        </form>
      </div>
    </main>
  )
}
