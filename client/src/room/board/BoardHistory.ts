/**
 * Undo and redo of this user's own edits, and only theirs: undoing never takes back what someone
 * else did. Each entry holds the edits that undo it and the edits that redo it, computed when it
 * was made (an update remembers the fields it replaced).
 *
 * A deleted shape's id is spent (the room remembers it, so a re-sent create stays deleted): undoing
 * a delete creates the shape again under a new id. Entries name shapes by the id they first had,
 * and `aliases` follows each to the id it has now.
 */
import type { Shape, ShapeChanges, ShapeInput } from '@scalable-chat/backend-contract'

/** What the history does its edits through: BoardSync, in the view. */
export interface BoardEditor {
  create(shape: ShapeInput): void
  update(id: string, changes: ShapeChanges): void
  remove(id: string): void
}

type Edit = { kind: 'create'; shape: ShapeInput } | { kind: 'update'; id: string; changes: ShapeChanges } | { kind: 'delete'; id: string }

interface Entry {
  undo: Edit[]
  redo: Edit[]
}

/** Entries kept; the oldest go first. */
const MAX_ENTRIES = 200

export class BoardHistory {
  private readonly done: Entry[] = []
  private readonly undone: Entry[] = []
  private readonly aliases = new Map<string, string>()

  constructor(
    private readonly editor: BoardEditor,
    private readonly newId: () => string,
  ) {}

  get canUndo(): boolean {
    return this.done.length > 0
  }

  get canRedo(): boolean {
    return this.undone.length > 0
  }

  // What the user did (each is applied, and remembered) ----------------------------------------

  create(shape: ShapeInput): void {
    this.editor.create(shape)
    this.push({ undo: [{ kind: 'delete', id: shape.id }], redo: [{ kind: 'create', shape }] })
  }

  /** `shape` as it was before: the fields `changes` replace are what undo puts back. */
  update(shape: Shape, changes: ShapeChanges): void {
    const before: Record<string, unknown> = {}
    for (const key of Object.keys(changes) as (keyof ShapeChanges)[]) before[key] = (shape as Record<string, unknown>)[key]
    this.editor.update(shape.id, changes)
    const id = this.logicalId(shape.id)
    this.push({ undo: [{ kind: 'update', id, changes: before as ShapeChanges }], redo: [{ kind: 'update', id, changes }] })
  }

  remove(shape: Shape): void {
    this.editor.remove(shape.id)
    const id = this.logicalId(shape.id)
    this.push({ undo: [{ kind: 'create', shape: { ...inputOf(shape), id } }], redo: [{ kind: 'delete', id }] })
  }

  // Undo and redo --------------------------------------------------------------------------------

  /** Takes back this user's latest edit; returns the id of the shape it touched, if it still exists. */
  undo(): string | undefined {
    const entry = this.done.pop()
    if (!entry) return undefined
    this.undone.push(entry)
    return this.apply(entry.undo)
  }

  redo(): string | undefined {
    const entry = this.undone.pop()
    if (!entry) return undefined
    this.done.push(entry)
    return this.apply(entry.redo)
  }

  private push(entry: Entry): void {
    this.done.push(entry)
    if (this.done.length > MAX_ENTRIES) this.done.shift()
    this.undone.length = 0
  }

  private apply(edits: Edit[]): string | undefined {
    let touched: string | undefined
    for (const edit of edits) {
      if (edit.kind === 'create') {
        // Every create here brings back a shape that was deleted (undo of a delete, redo of a
        // create): its id is spent.
        const id = this.newId()
        this.aliases.set(edit.shape.id, id)
        this.editor.create({ ...edit.shape, id })
        touched = id
      } else if (edit.kind === 'update') {
        touched = this.currentId(edit.id)
        this.editor.update(touched, edit.changes)
      } else {
        this.editor.remove(this.currentId(edit.id))
        touched = undefined
      }
    }
    return touched
  }

  private currentId(logical: string): string {
    return this.aliases.get(logical) ?? logical
  }

  /** The id entries use for the shape that has `current` now. */
  private logicalId(current: string): string {
    for (const [logical, id] of this.aliases) if (id === current) return logical
    return current
  }
}

/** A board shape as a create proposes it: without the author and version the server adds. */
export function inputOf(shape: Shape): ShapeInput {
  const { author: _author, version: _version, ...input } = shape
  return input as ShapeInput
}
