import { ApiError } from '../api/ApiError.js'
import { describeAuthError } from './describeAuthError.js'

export interface GuestErrors {
  name?: string
  /** Not tied to the field. */
  form?: string
}

/**
 * A failed guest entry in plain words. The backend speaks of a `username` (a guest's name follows
 * the same rule and is unique among accounts and guests alike); the form calls it a name.
 */
export function describeGuestError(error: unknown): GuestErrors {
  if (error instanceof ApiError) {
    switch (error.code) {
      case 'username_taken':
        return { name: 'That name is taken. Try another one.' }
      case 'room_not_found':
        return { form: 'This room does not exist any more. Ask for a new link.' }
      case 'guests_disabled':
        return { form: 'This server does not let guests in. Sign in or create an account instead.' }
    }
  }
  const { username, form } = describeAuthError(error)
  return { ...(username ? { name: username.replace(/^Username/, 'Name') } : {}), ...(form ? { form } : {}) }
}
