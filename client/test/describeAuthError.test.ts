import { describe, expect, it } from 'vitest'
import { ApiError } from '../src/api/ApiError.js'
import { describeAuthError, validateRegistration } from '../src/auth/describeAuthError.js'
import { safeNextPath } from '../src/auth/safeNextPath.js'

describe('describeAuthError', () => {
  it('explains wrong credentials without blaming one field', () => {
    expect(describeAuthError(new ApiError(401, 'invalid_credentials', 'wrong username or password'))).toEqual({
      form: 'That username and password do not match an account.',
    })
  })
  it('puts a taken username on the username field', () => {
    expect(describeAuthError(new ApiError(409, 'username_taken', 'that username is taken')).username).toMatch(/taken/)
  })
  it('maps the backend validation message to the fields it names', () => {
    const errors = describeAuthError(
      new ApiError(400, 'invalid_request', 'username: must be at least 3 characters; password: must be at least 8 characters'),
    )
    expect(errors).toEqual({
      username: 'Username must be at least 3 characters.',
      password: 'Password must be at least 8 characters.',
    })
  })
  it('passes the network message through', () => {
    expect(describeAuthError(new ApiError(0, 'network_error', 'Cannot reach the server.')).form).toBe('Cannot reach the server.')
  })
})

describe('validateRegistration', () => {
  it('accepts what the backend accepts', () => {
    expect(validateRegistration('ana_b-1', 'long enough')).toEqual({})
  })
  it('rejects short, long or oddly spelled usernames and short passwords', () => {
    expect(validateRegistration('ab', 'long enough').username).toBeDefined()
    expect(validateRegistration('a'.repeat(33), 'long enough').username).toBeDefined()
    expect(validateRegistration('ana b', 'long enough').username).toBeDefined()
    expect(validateRegistration('ana', 'short').password).toBeDefined()
  })
})

describe('safeNextPath', () => {
  it('returns a path on this site', () => {
    expect(safeNextPath('/rooms/abc123XYZ_-q')).toBe('/rooms/abc123XYZ_-q')
  })
  it('does NOT redirect off-site', () => {
    for (const next of ['//evil.example', 'https://evil.example', '/\\evil.example', 'javascript:alert(1)', null, '']) {
      expect(safeNextPath(next)).toBe('/')
    }
  })
})
