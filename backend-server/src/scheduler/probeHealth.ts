/**
 * What a session server's `GET /healthz` says: `up`, `draining` (a 2xx whose body says
 * `"draining": true`: alive, keeping its rooms until it releases them, but taking no new ones) or
 * `down` (refused, timeout, non-2xx).
 */
export type HealthStatus = 'up' | 'draining' | 'down'

export async function probeStatus(url: string, timeoutMs: number): Promise<HealthStatus> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    const body = await response.text()
    if (!response.ok) return 'down'
    return saysDraining(body) ? 'draining' : 'up'
  } catch {
    return 'down'
  }
}

/**
 * `probeStatus`, except that `down` is confirmed by a second probe with `confirmTimeoutMs`:
 * only two failures in a row count, so one slow answer does not move a server's rooms. A dead
 * server refuses both at once, so fail-over after a crash stays as fast.
 */
export async function probeConfirmed(url: string, timeoutMs: number, confirmTimeoutMs: number): Promise<HealthStatus> {
  const first = await probeStatus(url, timeoutMs)
  return first === 'down' ? probeStatus(url, confirmTimeoutMs) : first
}

function saysDraining(body: string): boolean {
  try {
    return (JSON.parse(body) as { draining?: unknown } | null)?.draining === true
  } catch {
    return false
  }
}
