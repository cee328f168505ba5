/**
 * Every failed API call becomes an `ApiError`: the HTTP status, the backend's machine-readable
 * `code` (from `{ error: { code, message } }`) and a message fit to show. A network failure has
 * status 0 and code `network_error`.
 */
export class ApiError extends Error {
  override name = 'ApiError'
  readonly status: number
  readonly code: string

  constructor(status: number, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.status = status
    this.code = code
  }
}

export const NETWORK_ERROR = 'network_error'

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError
}
