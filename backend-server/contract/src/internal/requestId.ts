import { randomUUID } from 'node:crypto'

/** An incoming `X-Request-Id` is kept only when it looks like an id, so a client cannot inject log noise. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * The id to log a request under: a proxy's `X-Request-Id` when it looks like one, else a fresh
 * uuid. Shared by the backend and the session servers,
 * so one id format and one rule hold across the services.
 *
 * @example requestIdFrom(req.headers['x-request-id']) // 'lb-4f2a.17', or a uuid
 */
export function requestIdFrom(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID()
}
