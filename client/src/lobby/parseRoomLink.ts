// Mirrors the backend's RoomIdParam (contract.ts); duplicated so the client does not ship zod.
const ROOM_ID = /^[A-Za-z0-9_-]{10,32}$/
const ROOM_PATH = /\/rooms\/([A-Za-z0-9_-]{10,32})\/?$/

/**
 * The room id in what the user pasted: a bare id, or a room link from any host
 * (`https://chat.example/rooms/<id>`). Null when it is neither.
 *
 * @example parseRoomLink('http://localhost:5173/rooms/abc123XYZ_-q') // 'abc123XYZ_-q'
 */
export function parseRoomLink(input: string): string | null {
  const value = input.trim()
  if (ROOM_ID.test(value)) return value
  try {
    const url = new URL(value)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
    return ROOM_PATH.exec(url.pathname)?.[1] ?? null
  } catch {
    return null
  }
}
