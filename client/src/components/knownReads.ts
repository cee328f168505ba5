/**
 * How far this browser knows the user has read each room, before the backend does: the session
 * server stores read positions every few seconds (and when the user's last tab leaves the room),
 * so a lobby fetched the moment one leaves a room may still count what was just read there. The
 * room notes each position it marks here; the lobby shows a room whose latest message is within
 * it as read. A BroadcastChannel carries the notes to this browser's other tabs, so a lobby open
 * in another tab clears the badge at once too (a browser without one just waits for its refresh).
 *
 * In memory only: after a reload the backend has long caught up.
 */

type Listener = () => void

const CHANNEL_NAME = 'scalable-chat:reads'

/** `userId NUL roomId` → seq: per user, so signing in as someone else in this tab starts afresh. */
const known = new Map<string, number>()
const listeners = new Set<Listener>()
let version = 0
let channel: BroadcastChannel | null | undefined

function keyOf(userId: string, roomId: string): string {
  return `${userId}\u0000${roomId}`
}

function openChannel(): BroadcastChannel | null {
  if (channel !== undefined) return channel
  channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL_NAME) : null
  channel?.addEventListener('message', (event: MessageEvent<unknown>) => {
    const note = event.data as { userId?: unknown; roomId?: unknown; seq?: unknown } | null
    if (typeof note?.userId === 'string' && typeof note.roomId === 'string' && typeof note.seq === 'number') {
      record(note.userId, note.roomId, note.seq)
    }
  })
  return channel
}

function record(userId: string, roomId: string, seq: number): boolean {
  const key = keyOf(userId, roomId)
  if (seq <= (known.get(key) ?? 0)) return false
  known.set(key, seq)
  version++
  for (const listener of [...listeners]) listener()
  return true
}

/** The user has read the room up to `seq` in this tab: told to this tab's lobby and the others'. */
export function noteRead(userId: string, roomId: string, seq: number): void {
  if (record(userId, roomId, seq)) openChannel()?.postMessage({ userId, roomId, seq })
}

/** How far this browser knows the user read the room (0: nothing known). */
export function knownRead(userId: string, roomId: string): number {
  return known.get(keyOf(userId, roomId)) ?? 0
}

/** For `useSyncExternalStore`: called on every new note (here or from another tab). */
export function subscribeKnownReads(listener: Listener): () => void {
  openChannel()
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** Changes with every note: the snapshot `useSyncExternalStore` compares. */
export function knownReadsVersion(): number {
  return version
}
