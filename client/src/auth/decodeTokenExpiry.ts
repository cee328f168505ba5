/**
 * Reads the `exp` claim (seconds since the epoch) of a JWT without verifying it: the client only
 * needs to know when to stop using its token; the servers verify signatures. No library needed.
 * Returns null for anything that is not a JWT with a numeric `exp`.
 */
export function decodeTokenExpiry(token: string): number | null {
  const payload = token.split('.')[1]
  if (!payload) return null
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/')
    const padded = base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '=')
    const claims: unknown = JSON.parse(atob(padded))
    if (typeof claims !== 'object' || claims === null) return null
    const exp = (claims as { exp?: unknown }).exp
    return typeof exp === 'number' && Number.isFinite(exp) ? exp : null
  } catch {
    return null
  }
}
