import type { MemberStatus } from '@scalable-chat/protocol'

/**
 * What to announce to the room: the status the user chose, except that "online" turns into
 * "away" while they are idle or the tab is hidden. "Do not disturb" and a chosen "away" stay.
 */
export function effectiveStatus(chosen: MemberStatus, idle: boolean): MemberStatus {
  return chosen === 'online' && idle ? 'away' : chosen
}
