import { PASSWORD_RULE, USERNAME_RULE } from '@scalable-chat/backend-contract/rules'
import { ApiError, NETWORK_ERROR } from '../api/ApiError.js'

export interface AuthErrors {
  username?: string
  password?: string
  /** Not tied to one field. */
  form?: string
}

const FIELD_LABEL = { username: 'Username', password: 'Password' } as const

/**
 * Turns a failed sign-in or registration into plain words, per field where possible. The
 * backend's validation message names the field (`username: must be at least 3 characters`).
 */
export function describeAuthError(error: unknown): AuthErrors {
  if (!(error instanceof ApiError)) return { form: 'Something went wrong. Please try again.' }
  switch (error.code) {
    case 'invalid_credentials':
      return { form: 'That username and password do not match an account.' }
    case 'username_taken':
      return { username: 'That username is taken. Try another one.' }
    case 'rate_limited':
    case 'too_many_requests':
      return { form: 'Too many attempts. Wait a minute, then try again.' }
    case NETWORK_ERROR:
      return { form: error.message }
    case 'invalid_request': {
      const errors: AuthErrors = {}
      for (const part of error.message.split('; ')) {
        const match = /^(username|password): (.+)$/.exec(part)
        if (match) errors[match[1] as 'username' | 'password'] = `${FIELD_LABEL[match[1] as 'username' | 'password']} ${match[2]}.`
        else errors.form = capitalize(part)
      }
      return errors
    }
    default:
      return { form: capitalize(error.message) }
  }
}

/**
 * Checks a registration before sending it, with the backend's own rules (its contract's
 * `USERNAME_RULE` and `PASSWORD_RULE`, plain values, so the client needs no zod). The backend
 * stays the judge.
 */
export function validateRegistration(username: string, password: string): AuthErrors {
  const errors: AuthErrors = {}
  const usernameError = validateUsername(username)
  if (usernameError) errors.username = usernameError
  if (password.length < PASSWORD_RULE.minLength) errors.password = `Password must be at least ${PASSWORD_RULE.minLength} characters.`
  else if (password.length > PASSWORD_RULE.maxLength) errors.password = `Password must be at most ${PASSWORD_RULE.maxLength} characters.`
  return errors
}

/** What is wrong with a name by the username rule (`label` starts the sentence), or undefined. */
export function validateUsername(username: string, label = 'Username'): string | undefined {
  const name = username.trim()
  if (name.length < USERNAME_RULE.minLength) return `${label} must be at least ${USERNAME_RULE.minLength} characters.`
  if (name.length > USERNAME_RULE.maxLength) return `${label} must be at most ${USERNAME_RULE.maxLength} characters.`
  if (!USERNAME_RULE.pattern.test(name)) return `${label} ${USERNAME_RULE.patternText}.`
  return undefined
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
