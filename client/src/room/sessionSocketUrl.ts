import { PROTOCOL_VERSION } from '@scalable-chat/protocol/codes'

/**
 * The session server's WebSocket URL for a join: `ws(s)://<host>/?token=…&v=…[&since=…]`.
 * `host` is normally `host:port`; a full `ws(s)://` URL (a fleet behind one TLS ingress, with a
 * path) is used as given. `secure` follows the page: an https page may not open plain `ws:`.
 *
 * @example sessionSocketUrl({ host: 'localhost:8000', token: 't', since: 42, secure: false })
 * // 'ws://localhost:8000/?token=t&v=1&since=42'
 */
export function sessionSocketUrl({
  host,
  token,
  since,
  secure,
}: {
  host: string
  token: string
  since?: number | undefined
  secure: boolean
}): string {
  const url = new URL(/^wss?:\/\//i.test(host) ? host : `${secure ? 'wss' : 'ws'}://${host}`)
  url.searchParams.set('token', token)
  url.searchParams.set('v', String(PROTOCOL_VERSION))
  if (since !== undefined) url.searchParams.set('since', String(since))
  return url.href
}
