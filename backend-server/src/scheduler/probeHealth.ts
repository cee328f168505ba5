/**
 * `GET url` answers 2xx within `timeoutMs`. Any failure (refused, timeout, 5xx) is just "no".
 * With `drainingIsDown`, so is a 2xx whose body says `"draining": true`: a session server's
 * `/healthz` stays 200 while it drains (it is alive), but it must get no rooms.
 */
export async function probeHealth(url: string, timeoutMs: number, { drainingIsDown = false } = {}): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    if (!drainingIsDown) {
      await response.body?.cancel()
      return response.ok
    }
    const body = await response.text()
    return response.ok && !saysDraining(body)
  } catch {
    return false
  }
}

function saysDraining(body: string): boolean {
  try {
    return (JSON.parse(body) as { draining?: unknown } | null)?.draining === true
  } catch {
    return false
  }
}
