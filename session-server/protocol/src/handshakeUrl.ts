import { HandshakeParam, PROTOCOL_VERSION } from './codes.js'

/**
 * The session server's WebSocket URL for a join: `ws(s)://<host>/?token=…&v=…[&since=…]`.
 * `host` is normally `host:port`; a full `ws(s)://` URL (a fleet behind one TLS ingress, with a
 * path) is used as given. `secure` follows the page: an https page may not open plain `ws:`.
 * Zod-free, like `codes.ts`: the web client builds its URL with it.
 *
 * @example handshakeUrl({ host: 'localhost:8000', token: 't', since: 42, secure: false })
 * // 'ws://localhost:8000/?token=t&v=1&since=42'
 */
export function handshakeUrl({
  host,
  token,
  since,
  secure,
  version = PROTOCOL_VERSION,
}: {
  host: string
  token: string
  since?: number | undefined
  secure: boolean
  /** Only tests speak another version. */
  version?: number | string
}): string {
  const url = new URL(/^wss?:\/\//i.test(host) ? host : `${secure ? 'wss' : 'ws'}://${host}`)
  url.searchParams.set(HandshakeParam.TOKEN, token)
  url.searchParams.set(HandshakeParam.VERSION, String(version))
  if (since !== undefined) url.searchParams.set(HandshakeParam.SINCE, String(since))
  return url.href
}
