/**
 * A 24×24 line icon (one stroked path) drawn at 16 px. Decorative: the button's label says what
 * it does.
 */
export function LineIcon({ path, className }: { path: string; className?: string | undefined }) {
  return (
    <svg className={className} viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
      <path d={path} fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
    </svg>
  )
}
