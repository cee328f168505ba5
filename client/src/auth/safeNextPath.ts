/**
 * Where to go after signing in: the `next` query parameter when it is a path on this site, else
 * the lobby. `//evil.example` and `https://…` are refused (no open redirect).
 */
export function safeNextPath(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/'
  return next
}
