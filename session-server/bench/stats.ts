/** The value below which `q` of the sorted `values` fall (nearest rank); NaN when empty. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[rank]!
}

/** Repeated runs' figures as the table reports them: the median, and the range in the metric's words. */
export function medianAndRange(values: number[], digits = 1): { median: number; range: string } {
  const sorted = [...values].sort((a, b) => a - b)
  return { median: percentile(sorted, 0.5), range: `${sorted[0]!.toFixed(digits)}–${sorted.at(-1)!.toFixed(digits)}` }
}
