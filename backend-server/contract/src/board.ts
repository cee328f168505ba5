/**
 * A room's whiteboard as storage keeps it: its shapes, each with the version of its last change,
 * and the board's version counter. The session server holding the room applies edits and saves
 * the whole board through the internal API; the backend stores it as one document, fenced by the
 * placement epoch like messages. The protocol re-uses these shapes on the wire.
 */
import { z } from 'zod'
import { BOARD_RULE } from './rules.js'

/** Chosen by the client that creates the shape (like a message's clientId): a re-sent create is applied once. */
export const ShapeId = z.string().min(1).max(64).regex(/^[\w-]+$/, 'letters, digits, _ and - only')

/** A board coordinate or length; zod refuses NaN and ±Infinity. */
const Coordinate = z.number().min(-BOARD_RULE.maxCoordinate).max(BOARD_RULE.maxCoordinate)
const Length = z.number().min(0).max(BOARD_RULE.maxCoordinate)
/** Relative to the shape's `x`, `y`. */
export const Point = z.tuple([Coordinate, Coordinate])
export type Point = z.infer<typeof Point>

export const ShapeColor = z.string().regex(/^#[0-9a-f]{6}$/, 'a colour as #rrggbb (lower case)')
export const StrokeWidth = z.number().min(BOARD_RULE.minStrokeWidth).max(BOARD_RULE.maxStrokeWidth)

/** Every field an update may change, whatever the shape's type; which apply is the type's business. */
export const ShapeFields = {
  x: Coordinate,
  y: Coordinate,
  width: Length,
  height: Length,
  points: z.array(Point).min(2).max(BOARD_RULE.maxPathPoints),
  color: ShapeColor,
  strokeWidth: StrokeWidth,
  text: z.string().min(1).max(BOARD_RULE.maxTextLength),
}

const base = { id: ShapeId, x: ShapeFields.x, y: ShapeFields.y, color: ShapeFields.color, strokeWidth: ShapeFields.strokeWidth }
const box = { width: ShapeFields.width, height: ShapeFields.height }
/** A line or an arrow: from its first point to its second. */
const segment = { points: z.tuple([Point, Point]) }

/** One schema per shape type, with `extra` fields on each. */
function shapeOf<Extra extends z.ZodRawShape>(extra: Extra) {
  return z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('rectangle'), ...base, ...box, ...extra }),
    z.strictObject({ type: z.literal('ellipse'), ...base, ...box, ...extra }),
    z.strictObject({ type: z.literal('arrow'), ...base, ...segment, ...extra }),
    z.strictObject({ type: z.literal('line'), ...base, ...segment, ...extra }),
    z.strictObject({ type: z.literal('path'), ...base, points: ShapeFields.points, ...extra }),
    z.strictObject({ type: z.literal('text'), ...base, ...box, text: ShapeFields.text, ...extra }),
  ])
}

/** A shape as a client proposes it: no author, no version (the server sets both). */
export const ShapeInput = shapeOf({})
export type ShapeInput = z.infer<typeof ShapeInput>
/** The kinds of shape a board holds. */
export type ShapeType = ShapeInput['type']

/** A shape on the board: who created it, and the board version of its latest change. */
export const Shape = shapeOf({ author: z.string().min(1).max(64), version: z.number().int().positive() })
export type Shape = z.infer<typeof Shape>

/** The changes of one update: any of the fields, at least one; checked again against the shape's type once merged. */
export const ShapeChanges = z
  .strictObject({
    x: ShapeFields.x.optional(),
    y: ShapeFields.y.optional(),
    width: ShapeFields.width.optional(),
    height: ShapeFields.height.optional(),
    points: ShapeFields.points.optional(),
    color: ShapeFields.color.optional(),
    strokeWidth: ShapeFields.strokeWidth.optional(),
    text: ShapeFields.text.optional(),
  })
  .refine((changes) => Object.values(changes).some((value) => value !== undefined), 'changes nothing')
export type ShapeChanges = z.infer<typeof ShapeChanges>

/**
 * The board as storage keeps it and a session server loads it. `version` counts every change
 * ever applied (each shape carries the one of its latest); `deleted` holds the latest
 * `BOARD_RULE.maxDeletedIds` deleted shape ids, oldest first.
 */
export const Board = z.object({
  version: z.number().int().nonnegative(),
  shapes: z.array(Shape).max(BOARD_RULE.maxShapes),
  deleted: z.array(ShapeId).max(BOARD_RULE.maxDeletedIds),
})
export type Board = z.infer<typeof Board>

export const EMPTY_BOARD: Board = { version: 0, shapes: [], deleted: [] }
