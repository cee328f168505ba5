/**
 * What a member has not read in each of their rooms, and each room's latest message: the lobby's
 * badges and preview (`GET /api/rooms`). This is the ONE place that reads messages for them, as
 * LATERAL joins that `RoomStore.listForUser` adds to its list query (one round trip for the whole
 * list; each join is a short backward range scan of the `messages_chat` index, `(room_id, seq)` of
 * messages alone).
 *
 * The room log also holds changes (migration 009): only `kind = 'message'` rows are messages, and
 * a deleted message is neither news nor a preview (its text is gone), so both skip it; an edited
 * one counts and shows as it is now.
 */
import type { LastMessagePreview } from '@scalable-chat/backend-contract'
import { UNREAD_RULE } from '@scalable-chat/backend-contract'
import { toIso, toNumber } from './rowValues.js'

/**
 * The LATERAL joins, for a query whose membership row is `m` (`room_members`: `room_id`, `user_id`,
 * `read_seq`), with `$pattern` the parameter holding `mentionPattern(username)`. Columns:
 * `unread`, `mentions`, `last_seq`, `last_username`, `last_text`, `last_created_at`.
 *
 * Unread: messages by others after the read position, the newest `countCap` of them (so a backlog
 * of a million costs a hundred rows); mentions: those of them whose text names the member.
 */
export function roomActivityJoins(pattern: string): string {
  return `LEFT JOIN LATERAL (
      SELECT count(*) AS unread, count(*) FILTER (WHERE newest.text ~* ${pattern}) AS mentions
      FROM (
        SELECT x.text FROM messages x
        WHERE x.room_id = m.room_id AND x.kind = 'message' AND x.seq > m.read_seq AND x.user_id <> m.user_id
          AND x.deleted_at IS NULL
        ORDER BY x.seq DESC
        LIMIT ${UNREAD_RULE.countCap}
      ) newest
    ) unread ON true
    LEFT JOIN LATERAL (
      SELECT x.seq AS last_seq, x.username AS last_username, x.created_at AS last_created_at,
             CASE WHEN char_length(x.text) > ${UNREAD_RULE.previewLength}
                  THEN left(x.text, ${UNREAD_RULE.previewLength}) || '…' ELSE x.text END AS last_text
      FROM messages x WHERE x.room_id = m.room_id AND x.kind = 'message' AND x.deleted_at IS NULL
      ORDER BY x.seq DESC
      LIMIT 1
    ) latest ON true`
}

/** The columns `roomActivityJoins` adds, to name in the SELECT list. */
export const ROOM_ACTIVITY_COLUMNS = 'unread.unread, unread.mentions, latest.last_seq, latest.last_username, latest.last_text, latest.last_created_at'

export interface RoomActivityRow {
  unread: unknown
  mentions: unknown
  last_seq: unknown
  last_username: string | null
  last_text: string | null
  last_created_at: unknown
}

export function toRoomActivity(row: RoomActivityRow): { unread: number; mentions: number; lastMessage: LastMessagePreview | null } {
  return {
    unread: toNumber(row.unread ?? 0),
    mentions: toNumber(row.mentions ?? 0),
    lastMessage:
      row.last_seq === null || row.last_seq === undefined
        ? null
        : { seq: toNumber(row.last_seq), username: row.last_username!, text: row.last_text!, createdAt: toIso(row.last_created_at) },
  }
}

/**
 * The rule of the web client's `splitMentions` (client/src/room/mentions.ts) for one username, as a
 * Postgres regular expression matched case-insensitively (`~*`): `@username` at the start or after a
 * character that cannot be in a username or precede a mention (so `ana@example.com` is not one),
 * and not followed by a username character (so `@anastasia` does not name `ana`). Usernames hold
 * only `A-Za-z0-9_-` (USERNAME_RULE); anything else is escaped all the same.
 */
export function mentionPattern(username: string): string {
  const escaped = username.replace(/[^A-Za-z0-9_]/g, (c) => `\\${c}`)
  return `(^|[^A-Za-z0-9_@-])@${escaped}($|[^A-Za-z0-9_-])`
}
