/**
 * A room's whiteboard in memory: the single writer of its shapes. Every edit is applied here in
 * the order the server received it and gets the next board `version`; the room broadcasts what
 * changed, and `BoardSaver` stores the whole board a moment later.
 *
 * Concurrent edits converge because the server orders them, and an update never overwrites
 * what it did not see: an update names the version it was made on, and each of its fields is
 * applied only if nobody changed that field's group (geometry, style, text) since. Two members
 * moving one shape at once: the first move wins, the second is refused as stale. One moving it
 * while another recolours it: both apply.
 *
 * Transport-free and synchronous; refusals are values (nothing changes), like `RoomLog`'s.
 */
import { BOARD_RULE, type Board as StoredBoard } from '@scalable-chat/backend-contract'
import { ErrorCode, Shape as ShapeSchema, type Shape, type ShapeChanges, type ShapeInput } from '@scalable-chat/protocol'
import type { Refusal } from './Refusal.js'

type Group = 'geometry' | 'style' | 'text'

/** Which group each changeable field belongs to: a move or resize is one geometry change. */
const GROUP_OF = {
  x: 'geometry',
  y: 'geometry',
  width: 'geometry',
  height: 'geometry',
  points: 'geometry',
  color: 'style',
  strokeWidth: 'style',
  text: 'text',
} as const satisfies Record<keyof ShapeChanges, Group>

interface Entry {
  shape: Shape
  /** The board version of each group's latest change. */
  groups: Record<Group, number>
  /** The shape's JSON size in UTF-8 bytes, counted against `BOARD_RULE.maxBoardBytes`. */
  bytes: number
}

export type CreateOutcome =
  /** `fresh`: added now; otherwise the create was seen before and this is the shape as it is. */
  | { ok: true; state: 'created'; shape: Shape; fresh: boolean }
  /** Seen before, and deleted since: a re-sent create does not bring a shape back. */
  | { ok: true; state: 'deleted'; id: string; version: number }
  | Refusal
export type UpdateOutcome = { ok: true; changes: ShapeChanges; version: number } | Refusal
export type DeleteOutcome = { ok: true; version: number; fresh: boolean } | Refusal

const sizeOf = (shape: Shape) => Buffer.byteLength(JSON.stringify(shape)) + 1

export class Board {
  private readonly entries = new Map<string, Entry>()
  /** Deleted ids, oldest first (a Set keeps insertion order), at most `maxDeletedIds`. */
  private readonly deleted: Set<string>
  private bytes = 2
  private current: number

  constructor(stored: StoredBoard) {
    this.current = stored.version
    this.deleted = new Set(stored.deleted)
    for (const shape of stored.shapes) {
      // What storage held is trusted as it was written, including its versions: a group's
      // latest change is no later than the shape's.
      const bytes = sizeOf(shape)
      this.entries.set(shape.id, { shape, bytes, groups: { geometry: shape.version, style: shape.version, text: shape.version } })
      this.bytes += bytes
    }
  }

  get version(): number {
    return this.current
  }

  get shapeCount(): number {
    return this.entries.size
  }

  get shapes(): Shape[] {
    return [...this.entries.values()].map((entry) => entry.shape)
  }

  /** The board as storage keeps it. */
  toStored(): StoredBoard {
    return { version: this.current, shapes: this.shapes, deleted: [...this.deleted] }
  }

  create(author: string, input: ShapeInput): CreateOutcome {
    const existing = this.entries.get(input.id)
    if (existing) {
      if (existing.shape.author !== author) return refuse(ErrorCode.SHAPE_EXISTS, 'another shape has this id')
      return { ok: true, state: 'created', shape: existing.shape, fresh: false }
    }
    if (this.deleted.has(input.id)) return { ok: true, state: 'deleted', id: input.id, version: this.current }
    if (this.entries.size >= BOARD_RULE.maxShapes) {
      return refuse(ErrorCode.BOARD_FULL, `the board holds ${BOARD_RULE.maxShapes} shapes, as many as it may`)
    }
    const version = this.current + 1
    const shape = { ...input, author, version } as Shape
    const bytes = sizeOf(shape)
    if (this.bytes + bytes > BOARD_RULE.maxBoardBytes) return this.tooBig()
    this.current = version
    this.entries.set(shape.id, { shape, bytes, groups: { geometry: version, style: version, text: version } })
    this.bytes += bytes
    return { ok: true, state: 'created', shape, fresh: true }
  }

  /** Applies the fields of `changes` nobody changed since `base`; refused when none is left, or the result is not a valid shape. */
  update(id: string, base: number, changes: ShapeChanges): UpdateOutcome {
    const entry = this.entries.get(id)
    if (!entry) return refuse(ErrorCode.SHAPE_NOT_FOUND, 'no such shape on the board')
    const applied: Record<string, unknown> = {}
    const touched = new Set<Group>()
    for (const [field, value] of Object.entries(changes) as [keyof ShapeChanges, unknown][]) {
      if (value === undefined) continue
      const group = GROUP_OF[field]
      if (entry.groups[group] > base) continue
      applied[field] = value
      touched.add(group)
    }
    if (touched.size === 0) {
      return refuse(ErrorCode.STALE_UPDATE, `the shape changed since version ${base}; nothing applied`)
    }
    const version = this.current + 1
    // Once merged, the result must still be a shape of its type (no points on a rectangle, no text on a line).
    const merged = ShapeSchema.safeParse({ ...entry.shape, ...applied, version })
    if (!merged.success) {
      return refuse(ErrorCode.INVALID_MESSAGE, `not a valid ${entry.shape.type}: ${merged.error.issues[0]?.message ?? 'invalid'}`)
    }
    const bytes = sizeOf(merged.data)
    if (this.bytes - entry.bytes + bytes > BOARD_RULE.maxBoardBytes) return this.tooBig()
    this.current = version
    this.bytes += bytes - entry.bytes
    entry.shape = merged.data
    entry.bytes = bytes
    for (const group of touched) entry.groups[group] = version
    return { ok: true, changes: applied as ShapeChanges, version }
  }

  /** Deleting what is already deleted is not an error (two members deleting at once both get their way). */
  delete(id: string): DeleteOutcome {
    const entry = this.entries.get(id)
    if (!entry) {
      return this.deleted.has(id) ? { ok: true, version: this.current, fresh: false } : refuse(ErrorCode.SHAPE_NOT_FOUND, 'no such shape on the board')
    }
    this.current += 1
    this.entries.delete(id)
    this.bytes -= entry.bytes
    this.deleted.add(id)
    if (this.deleted.size > BOARD_RULE.maxDeletedIds) this.deleted.delete(this.deleted.values().next().value!)
    return { ok: true, version: this.current, fresh: true }
  }

  private tooBig(): Refusal {
    return refuse(ErrorCode.BOARD_FULL, `the board would be over ${BOARD_RULE.maxBoardBytes} bytes`)
  }
}

function refuse(code: Refusal['code'], message: string): Refusal {
  return { ok: false, code, message }
}
