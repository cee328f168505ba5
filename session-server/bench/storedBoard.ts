/**
 * What storage holds of a room's board, read through the backend's internal API as a session
 * server loading the room reads it (`GET /internal/rooms/:roomId?host=`; that also marks the
 * placement loaded, which it is already). The board workload checks it against what its editors
 * were acknowledged.
 */
import type { Board } from '@scalable-chat/backend-contract'
import { LoadRoomResponse } from '@scalable-chat/backend-contract/internal'
import type { ProjectStack } from './processes.js'

const POLL_INTERVAL_MS = 50

async function readBoard(stack: ProjectStack, roomId: string): Promise<Board> {
  const path = `/internal/rooms/${encodeURIComponent(roomId)}?host=${encodeURIComponent(stack.sessionHost)}`
  const response = await fetch(`${stack.backendUrl}${path}`, { headers: { authorization: `Bearer ${stack.serviceToken}` } })
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`)
  return LoadRoomResponse.parse(await response.json()).board
}

/**
 * The stored board once it has reached `version`, polled until `deadline` (a `performance.now()`
 * time); the last one read if it never does.
 */
export async function storedBoard(stack: ProjectStack, roomId: string, version: number, deadline: number): Promise<Board> {
  for (;;) {
    const board = await readBoard(stack, roomId)
    if (board.version >= version || performance.now() >= deadline) return board
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS))
  }
}

/** What the stored board lacks of `acknowledged` (shape id → version of its latest acknowledged change). */
export function missingFrom(board: Board, version: number, acknowledged: Record<string, number>): string[] {
  const stored = new Map(board.shapes.map((shape) => [shape.id, shape.version]))
  const entries = Object.entries(acknowledged)
  const absent = entries.filter(([id]) => !stored.has(id))
  // Nothing edits after the phase: each stored shape is at its last acknowledged change, exactly.
  const other = entries.filter(([id, v]) => stored.has(id) && stored.get(id) !== v)
  return [
    ...(board.version < version ? [`the stored board is at version ${board.version}, the room's at ${version}`] : []),
    ...(absent.length > 0 ? [`${absent.length} of ${entries.length} acknowledged shapes are not stored (${absent[0]![0]}, …)`] : []),
    ...(other.length > 0 ? [`${other.length} shapes are stored at another version than acknowledged (${other[0]![0]}: ${stored.get(other[0]![0])}, not ${other[0]![1]})`] : []),
  ]
}
