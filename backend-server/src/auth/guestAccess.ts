import { HttpError } from '../http/HttpError.js'
import type { UserLocals } from './requireUser.js'

/** The error code of everything a guest may not do. */
export const GUEST_NOT_ALLOWED = 'guest_not_allowed'

/**
 * A guest may use the one room it was linked to — join it (room tokens), read its history, leave
 * it, list it — and nothing else. These guards run before any lookup, so a guest learns nothing
 * about other rooms (not even whether they exist); an account passes them untouched.
 */
export function refuseGuest(locals: UserLocals, what: string): void {
  if (locals.guestRoomId !== undefined) {
    throw new HttpError(403, GUEST_NOT_ALLOWED, `guests cannot ${what}: sign up for an account to do that`)
  }
}

/** 403 `guest_not_allowed` for a guest and any room but its own. */
export function requireGuestRoom(locals: UserLocals, roomId: unknown): void {
  if (locals.guestRoomId !== undefined && roomId !== locals.guestRoomId) {
    throw new HttpError(403, GUEST_NOT_ALLOWED, 'guests can use only the room they were invited to: sign up for an account to join others')
  }
}
