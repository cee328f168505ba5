/**
 * The `default` of a switch that covers every case: a compile error when a case is added and not
 * handled, and a loud failure if a value the types rule out arrives anyway.
 */
export function exhaustive(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`)
}
