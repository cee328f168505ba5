/** A new shape's id, chosen here (the protocol lets the creator pick it, so a re-sent create is applied once). */
export function newShapeId(): string {
  return `s-${crypto.randomUUID()}`
}
