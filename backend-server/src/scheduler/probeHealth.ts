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

/** `GET url` answers 2xx within `timeoutMs` (a draining server is alive). Any failure is just "no". */
export async function probeHealth(url: string, timeoutMs: number): Promise<boolean> {
  return (await probeStatus(url, timeoutMs)) !== 'down'
}

function saysDraining(body: string): boolean {
  try {
    return (JSON.parse(body) as { draining?: unknown } | null)?.draining === true
  } catch {
    return false
  }
}
