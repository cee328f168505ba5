/**
 * JSON text kept for reuse. Every connection that joins a room gets a snapshot, and most of it (the
 * member lists, the latest messages, the board) is the same for all of them until something
 * changes: those parts are serialised once per change and the snapshot is put together from their
 * text, instead of serialising the whole room again for each connection (in a reconnect storm, the
 * room's members, its latest 100 messages and its board once per arriving client).
 *
 * The type remembers what the text encodes, so a frame assembled from parts is still checked
 * against the protocol's types as one serialised whole would be.
 */
declare const encodes: unique symbol
export type JsonText<T> = string & { readonly [encodes]: T }

export function jsonText<const T>(value: T): JsonText<T> {
  return JSON.stringify(value) as JsonText<T>
}

export function jsonArray<T>(items: Iterable<JsonText<T>>): JsonText<T[]> {
  let text = '['
  for (const item of items) text += text.length === 1 ? item : `,${item}`
  return `${text}]` as JsonText<T[]>
}

/** An object's text from the text of every one of its fields (each required: none is left out). */
export function jsonObject<T extends object>(fields: { [K in keyof T]-?: JsonText<T[K]> }): JsonText<T> {
  let text = '{'
  for (const key of Object.keys(fields) as (keyof T & string)[]) {
    text += `${text.length === 1 ? '' : ','}${JSON.stringify(key)}:${fields[key]}`
  }
  return `${text}}` as JsonText<T>
}

/** Text computed on first use and kept until `clear()` (its source changed). */
export class CachedText<T> {
  private text: JsonText<T> | undefined

  constructor(private readonly compute: () => JsonText<T>) {}

  get(): JsonText<T> {
    return (this.text ??= this.compute())
  }

  clear(): void {
    this.text = undefined
  }
}
