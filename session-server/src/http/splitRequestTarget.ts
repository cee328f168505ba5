/**
 * The path and query of a request target, taken apart by hand: `new URL(target, base)` throws on
 * targets such as `//a:b` (read as a host with a bad port), and a throw in a `'request'`
 * listener ends the process. Neither `indexOf` nor `URLSearchParams` throws on any input.
 *
 * @example splitRequestTarget('/healthz?x=1') // { path: '/healthz', query: URLSearchParams { x: '1' } }
 */
export function splitRequestTarget(target: string | undefined): { path: string; query: URLSearchParams } {
  const raw = target ?? '/'
  const mark = raw.indexOf('?')
  if (mark === -1) return { path: raw, query: new URLSearchParams() }
  return { path: raw.slice(0, mark), query: new URLSearchParams(raw.slice(mark + 1)) }
}
