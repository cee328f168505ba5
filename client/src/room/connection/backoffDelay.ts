export const RECONNECT_BASE_DELAY_MS = 500
export const RECONNECT_MAX_DELAY_MS = 10_000

/**
 * How long to wait before reconnect attempt number `attempt` (1, 2, 3…): exponential from
 * `baseMs`, capped at `maxMs`, with "equal jitter" (a random point in the upper half) so that
 * the clients of a server that just restarted do not all come back in the same millisecond.
 *
 * @example backoffDelay(1) // 250–500 ms; backoffDelay(6) // 5–10 s; never more than 10 s
 */
export function backoffDelay(
  attempt: number,
  { baseMs = RECONNECT_BASE_DELAY_MS, maxMs = RECONNECT_MAX_DELAY_MS, random = Math.random } = {},
): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1)
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(exponent, 30))
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}
