/**
 * The http(s) URL of `path` on a session server, from its address (`host:port` or a `ws(s)://`
 * URL with an optional path prefix) or from an `http(s)://` internal URL. The session server
 * answers under its address's path prefix as well as at the root (an ingress may strip the
 * prefix or not), so `wss://edge.example.com/s/3` + `/healthz` → `https://edge.example.com/s/3/healthz`.
 *
 * @example sessionServerUrl('127.0.0.1:8000', '/healthz') // 'http://127.0.0.1:8000/healthz'
 * @example sessionServerUrl('ws://edge/s/3', '/internal/x?y=1') // 'http://edge/s/3/internal/x?y=1'
 */
export function sessionServerUrl(address: string, path: string): string {
  if (!/^(wss?|https?):\/\//i.test(address)) return `http://${address}${path}`
  const url = new URL(address)
  url.protocol = url.protocol === 'wss:' || url.protocol === 'https:' ? 'https:' : 'http:'
  // A query goes in `search`: set as part of `pathname`, its `?` would be escaped into the path.
  const mark = path.indexOf('?')
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${mark === -1 ? path : path.slice(0, mark)}`
  if (mark !== -1) url.search = path.slice(mark)
  return url.href
}
