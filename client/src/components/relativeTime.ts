const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
]

/**
 * "just now", "5 minutes ago", "yesterday", "3 weeks ago"… for a room's last activity and a member's last visit.
 * A time slightly in the future (clock skew between browser and server) reads as "just now".
 */
export function relativeTime(iso: string, now = Date.now(), locale?: string): string {
  const elapsed = now - Date.parse(iso)
  if (!Number.isFinite(elapsed)) return ''
  if (elapsed < 60_000) return 'just now'
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })
  for (const [unit, ms] of UNITS) {
    if (elapsed >= ms) return format.format(-Math.floor(elapsed / ms), unit)
  }
  return 'just now'
}
