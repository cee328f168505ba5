/**
 * An expected failure with its HTTP status and machine-readable code. Thrown from handlers and
 * turned into `{ error: { code, message } }` by the one error handler; anything else is a bug
 * and becomes a logged 500 `internal_error`.
 */
export class HttpError extends Error {
  override name = 'HttpError'
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }

  static badRequest(message: string): HttpError {
    return new HttpError(400, 'invalid_request', message)
  }
  static unauthorized(message = 'missing or invalid token'): HttpError {
    return new HttpError(401, 'unauthorized', message)
  }
  static forbidden(message: string): HttpError {
    return new HttpError(403, 'forbidden', message)
  }
  static roomNotFound(): HttpError {
    return new HttpError(404, 'room_not_found', 'room not found')
  }
}
