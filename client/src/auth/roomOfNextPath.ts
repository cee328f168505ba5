// The room id rule of the backend's RoomIdParam, as parseRoomLink.ts mirrors it (no zod here).
const ROOM_PATH = /^\/rooms\/([A-Za-z0-9_-]{10,32})(?:[/?#]|$)/

/**
 * The room a sign-in will return to (`next` is `/rooms/<id>`, perhaps with `?board`), or null for
 * anywhere else. Only a room link can be entered as a guest: a guest is limited to that room.
 *
 * @example roomOfNextPath('/rooms/abc123XYZ_-q?board') // 'abc123XYZ_-q'
 */
export function roomOfNextPath(next: string): string | null {
  return ROOM_PATH.exec(next)?.[1] ?? null
}
