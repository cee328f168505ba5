/** `GET url` answers 2xx within `timeoutMs`. Any failure (refused, timeout, 5xx) is just "no". */
export async function probeHealth(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
    await response.body?.cancel()
    return response.ok
  } catch {
    return false
  }
}
