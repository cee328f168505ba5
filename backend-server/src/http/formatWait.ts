/** A Retry-After wait in words for an error message: "40 seconds", "12 minutes". */
export function formatWait(seconds: number): string {
  return seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`
}
