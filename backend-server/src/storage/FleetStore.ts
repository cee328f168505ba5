import type { HeartbeatRequest, RegisterRequest } from '@scalable-chat/backend-contract/internal'
import { sessionServerUrl } from '../sessionServerUrl.js'
import type { Queryable } from './Database.js'
import { toNumber } from './rowValues.js'

/** A session server of the fleet as the backend last heard from it. */
export interface FleetServer {
  host: string
  internalUrl: string | null
  rooms: number
  members: number
  draining: boolean
}

interface Row {
  host: string
  internal_url: string | null
  rooms: unknown
  members: unknown
  draining: boolean
}

/**
 * The session servers that registered themselves, with the load they last reported. Every write
 * stamps `last_seen_at` with the database's clock, never a replica's, so replicas whose clocks
 * disagree still agree on who is live.
 */
export class FleetStore {
  constructor(private readonly db: Queryable) {}

  /** Adds (or resets) a server that (re)started empty. */
  async register({ host, internalUrl }: RegisterRequest): Promise<void> {
    await this.upsert({ host, internalUrl, rooms: 0, members: 0, draining: false }, true)
  }

  /** Records a heartbeat; an unknown server is added. */
  async heartbeat(report: HeartbeatRequest): Promise<void> {
    await this.upsert(report, false)
  }

  /** Removes a server that drained; returns whether it was known. */
  async deregister(host: string): Promise<boolean> {
    const rows = await this.db.query('DELETE FROM fleet_servers WHERE host = $1 RETURNING host', [host])
    return rows.length > 0
  }

  /** Servers heard from within `timeoutMs`, draining ones included (they still hold rooms). */
  async live(timeoutMs: number): Promise<FleetServer[]> {
    const rows = await this.db.query<Row>(
      `SELECT host, internal_url, rooms, members, draining FROM fleet_servers
       WHERE last_seen_at > now() - make_interval(secs => $1::double precision / 1000)
       ORDER BY host`,
      [timeoutMs],
    )
    return rows.map(toServer)
  }

  /**
   * Counts the server as dead until its next heartbeat (a client could not reach it and neither
   * could we), so every replica stops placing rooms there at once instead of after the timeout.
   */
  async markUnreachable(host: string): Promise<void> {
    await this.db.query(`UPDATE fleet_servers SET last_seen_at = '-infinity' WHERE host = $1`, [host])
  }

  /** The base URL to reach a session server over HTTP: its registered internal URL, else derived from its address. */
  async httpUrl(host: string, path: string): Promise<string> {
    const rows = await this.db.query<{ internal_url: string | null }>(
      'SELECT internal_url FROM fleet_servers WHERE host = $1',
      [host],
    )
    return sessionServerUrl(rows[0]?.internal_url ?? host, path)
  }

  private async upsert(report: HeartbeatRequest, fresh: boolean): Promise<void> {
    await this.db.query(
      `INSERT INTO fleet_servers (host, internal_url, rooms, members, draining)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (host) DO UPDATE SET
         internal_url = EXCLUDED.internal_url, rooms = EXCLUDED.rooms, members = EXCLUDED.members,
         draining = EXCLUDED.draining, last_seen_at = now(),
         registered_at = CASE WHEN $6 THEN now() ELSE fleet_servers.registered_at END`,
      [report.host, report.internalUrl ?? null, report.rooms, report.members, report.draining, fresh],
    )
  }
}

function toServer(row: Row): FleetServer {
  return {
    host: row.host,
    internalUrl: row.internal_url,
    rooms: toNumber(row.rooms),
    members: toNumber(row.members),
    draining: row.draining,
  }
}
