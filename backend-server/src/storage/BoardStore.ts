import { EMPTY_BOARD, type Board } from '@scalable-chat/backend-contract'
import type { Queryable } from './Database.js'

export type SaveBoardOutcome = { ok: true } | { ok: false; reason: 'not_found' | 'room_moved' }

/** The rooms' whiteboards, one document a room, written only by the session server holding the room. */
export class BoardStore {
  constructor(private readonly db: Queryable) {}

  /** The board as last saved; an empty one for a room that never saved one. */
  async load(roomId: string): Promise<Board> {
    const [row] = await this.db.query<{ board: Board }>('SELECT board FROM boards WHERE room_id = $1', [roomId])
    return row?.board ?? EMPTY_BOARD
  }

  /**
   * Replaces the room's board, only while the room is placed on `host` under `epoch`. The
   * placement row is locked for the write, as a group commit locks it: a re-placement waits for
   * the save, so the next server loads what was saved, and a save that waited for a
   * re-placement finds the placement changed and writes nothing.
   */
  async save(roomId: string, host: string, epoch: number, board: Board): Promise<SaveBoardOutcome> {
    const saved = await this.db.query(
      `WITH placed AS (
         SELECT room_id FROM placements WHERE room_id = $1 AND host = $2 AND epoch = $3 FOR UPDATE
       )
       INSERT INTO boards (room_id, board) SELECT room_id, $4::jsonb FROM placed
       ON CONFLICT (room_id) DO UPDATE SET board = excluded.board, saved_at = now()
       RETURNING room_id`,
      [roomId, host, epoch, JSON.stringify(board)],
    )
    if (saved.length > 0) return { ok: true }
    const [room] = await this.db.query('SELECT 1 FROM rooms WHERE id = $1', [roomId])
    return { ok: false, reason: room ? 'room_moved' : 'not_found' }
  }
}
