const shortTime = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' })
const fullTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' })

/** "14:05" or "2:05 PM", in the reader's locale. */
export function formatShortTime(iso: string): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? '' : shortTime.format(date)
}

/** "Tuesday, 3 March 2026 at 14:05": for `title` tooltips. */
export function formatFullTime(iso: string): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? '' : fullTime.format(date)
}
