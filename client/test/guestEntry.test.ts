import { describe, expect, it } from 'vitest'
import { ApiError } from '../src/api/ApiError.js'
import { validateUsername } from '../src/auth/describeAuthError.js'
import { describeGuestError } from '../src/auth/describeGuestError.js'
import { roomOfNextPath } from '../src/auth/roomOfNextPath.js'

describe('roomOfNextPath', () => {
  it('finds the room of a room path, with or without a query', () => {
    expect(roomOfNextPath('/rooms/abc123XYZ_-q')).toBe('abc123XYZ_-q')
    expect(roomOfNextPath('/rooms/abc123XYZ_-q?board')).toBe('abc123XYZ_-q')
    expect(roomOfNextPath('/rooms/abc123XYZ_-q/')).toBe('abc123XYZ_-q')
  })
  it('does NOT offer a room for the lobby, another path or an id that cannot be a room', () => {
    expect(roomOfNextPath('/')).toBeNull()
    expect(roomOfNextPath('/signin')).toBeNull()
    expect(roomOfNextPath('/rooms/short')).toBeNull()
    expect(roomOfNextPath('/rooms/abc123XYZ_-q/extra/path')).toBe('abc123XYZ_-q')
    expect(roomOfNextPath('/x/rooms/abc123XYZ_-q')).toBeNull()
  })
})

describe('describeGuestError', () => {
  it('puts a taken name on the name field', () => {
    expect(describeGuestError(new ApiError(409, 'username_taken', 'that name is taken'))).toEqual({ name: 'That name is taken. Try another one.' })
  })
  it('calls the backend’s username a name', () => {
    expect(describeGuestError(new ApiError(400, 'invalid_request', 'username: must be at least 3 characters'))).toEqual({
      name: 'Name must be at least 3 characters.',
    })
  })
  it('explains a room that is gone and guests turned off, for the whole form', () => {
    expect(describeGuestError(new ApiError(404, 'room_not_found', 'room not found')).form).toMatch(/does not exist/)
    expect(describeGuestError(new ApiError(403, 'guests_disabled', 'no guests')).form).toMatch(/Sign in or create an account/)
    expect(describeGuestError(new ApiError(429, 'rate_limited', 'too many')).form).toMatch(/Too many attempts/)
  })
})

describe('validateUsername', () => {
  it('says what is wrong, starting with the label given', () => {
    expect(validateUsername('ab', 'Name')).toBe('Name must be at least 3 characters.')
    expect(validateUsername('Bo guest', 'Name')).toBe('Name may contain only letters, digits, _ and -.')
    expect(validateUsername('  Bo_guest  ')).toBeUndefined()
  })
})
