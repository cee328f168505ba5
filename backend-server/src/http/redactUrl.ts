/** Query parameters whose values are secrets and must never reach a log line. */
const SECRET_PARAMS = /([?&](?:token|access_token|password)=)[^&#]*/gi

/**
 * The URL with secret query values replaced by `[redacted]`: room tokens travel in the
 * WebSocket URL (`?token=`), and any URL may end up in a log.
 *
 * @example redactUrl('/?token=eyJ…&v=1') // '/?token=[redacted]&v=1'
 */
export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, '$1[redacted]')
}
