import type { Queryable } from './Database.js'
import { toNumber } from './rowValues.js'

/** Where a room lives now. `host` is null while the room is not placed anywhere. */
export interface PlacementRow {
  host: string | null
  epoch: number
}

interface Row {
  host: string | null
  epoch: unknown
}

/**
 * The room → session server table. Every (re)placement increments `epoch`; clearing a placement
 * keeps it, so epochs only grow and a session server that loaded a room under an older epoch is
 * fenced off for good.
 */
export class PlacementStore {
  constructor(private readonly db: Queryable) {}

  async get(roomId: string): Promise<PlacementRow | undefined> {
    const rows = await this.db.query<Row>('SELECT host, epoch FROM placements WHERE room_id = $1', [roomId])
    return rows[0] && toPlacement(rows[0])
  }

  /** Creates the unplaced row if missing. Concurrent callers are fine: one inserts, the others do nothing. */
  async ensure(roomId: string): Promise<void> {
    await this.db.query(
      `INSERT INTO placements (room_id) SELECT id FROM rooms WHERE id = $1
       ON CONFLICT (room_id) DO NOTHING`,
      [roomId],
    )
  }

  /**
   * Compare-and-set: places the room on `host` with the next epoch, only if its epoch is still
   * `seenEpoch`. Returns the new placement, or `undefined` if someone else moved it first.
   */
  async place(roomId: string, seenEpoch: number, host: string, placedBy?: string): Promise<PlacementRow | undefined> {
    const rows = await this.db.query<Row>(
      `UPDATE placements SET host = $3, epoch = epoch + 1, placed_at = now(), loaded_at = NULL, placed_by = $4
       WHERE room_id = $1 AND epoch = $2
       RETURNING host, epoch`,
      [roomId, seenEpoch, host, placedBy ?? null],
    )
    return rows[0] && toPlacement(rows[0])
  }

  /**
   * Rooms per host that hold a slot: loaded by their session server, or placed so recently that
   * the first client is probably still connecting. A placement nobody ever loaded stops counting
   * after `pendingGraceMs`, so an abandoned join does not hold a slot forever.
   */
  async activeCounts(pendingGraceMs: number): Promise<Map<string, number>> {
    const rows = await this.db.query<{ host: string; count: unknown }>(
      `SELECT host, count(*) AS count FROM placements
       WHERE host IS NOT NULL
         AND (loaded_at IS NOT NULL OR placed_at > now() - make_interval(secs => $1::double precision / 1000))
       GROUP BY host`,
      [pendingGraceMs],
    )
    return new Map(rows.map((r) => [r.host, toNumber(r.count)]))
  }

  /**
   * Placements `userId` asked for that no session server has loaded, placed within
   * `pendingGraceMs`: the slots this user holds without anyone connected.
   */
  async pendingCount(userId: string, pendingGraceMs: number): Promise<number> {
    const rows = await this.db.query<{ count: unknown }>(
      `SELECT count(*) AS count FROM placements
       WHERE placed_by = $1 AND host IS NOT NULL AND loaded_at IS NULL
         AND placed_at > now() - make_interval(secs => $2::double precision / 1000)`,
      [userId, pendingGraceMs],
    )
    return toNumber(rows[0]?.count ?? 0)
  }

  /** Records that `host` loaded the room; `undefined` if the room is not placed on `host`. */
  async markLoaded(roomId: string, host: string): Promise<PlacementRow | undefined> {
    const rows = await this.db.query<Row>(
      `UPDATE placements SET loaded_at = now() WHERE room_id = $1 AND host = $2 RETURNING host, epoch`,
      [roomId, host],
    )
    return rows[0] && toPlacement(rows[0])
  }

  /** Clears the placement if it is still `host` under `epoch`; a stale release changes nothing. */
  async release(roomId: string, host: string, epoch: number): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE placements SET host = NULL, loaded_at = NULL
       WHERE room_id = $1 AND host = $2 AND epoch = $3 RETURNING room_id`,
      [roomId, host, epoch],
    )
    return rows.length > 0
  }

  /** Clears every placement on `host` (it restarted empty); returns how many. */
  async releaseHost(host: string): Promise<number> {
    const rows = await this.db.query(
      'UPDATE placements SET host = NULL, loaded_at = NULL WHERE host = $1 RETURNING room_id',
      [host],
    )
    return rows.length
  }
}

function toPlacement(row: Row): PlacementRow {
  return { host: row.host, epoch: toNumber(row.epoch) }
}
