/**
 * Conversions at the storage edge. `pg` returns bigint as a string and PGlite as a number or
 * bigint; timestamps come back as Date from both, but stay safe for strings too.
 */
export function toNumber(value: unknown): number {
  return Number(value)
}

export function toIso(value: unknown): string {
  return (value instanceof Date ? value : new Date(String(value))).toISOString()
}
