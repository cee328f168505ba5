import type { MemberStatus } from '@scalable-chat/protocol'

/** An "online" user shows as away after this long without activity (the web app and the terminal). */
export const AWAY_AFTER_IDLE_MS = 5 * 60_000

/**
 * What to announce to the room: the status the user chose, except that "online" turns into
 * "away" while they are idle or the tab is hidden. "Do not disturb" and a chosen "away" stay.
 */
export function effectiveStatus(chosen: MemberStatus, idle: boolean): MemberStatus {
  return chosen === 'online' && idle ? 'away' : chosen
}
