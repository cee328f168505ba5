import type { Logger } from 'pino'
import { OnlineCountsResponse } from '@scalable-chat/backend-contract/internal'
import { sessionServerUrl } from './sessionServerUrl.js'

/** Deleting or moving a room must not hang on a session server that is down or slow. */
const NOTIFY_TIMEOUT_MS = 1000

/** The backend's calls to session servers (the reverse direction of the internal API). */
export class SessionServerClient {
  constructor(
    private readonly serviceToken: string,
    private readonly logger: Logger,
    /** Resolves a server's address to an HTTP URL (the fleet knows internal URLs); default: derived. */
    private readonly urlOf: (host: string, path: string) => Promise<string> = async (host, path) =>
      sessionServerUrl(host, path),
  ) {}

  /**
   * Tells the room's session server that the room is gone, so it closes the room's sockets with
   * ROOM_DELETED. Best effort: the room is already deleted, and the session server would find out
   * on its next write anyway (404), so a failure is logged, never thrown.
   */
  roomDeleted(host: string, roomId: string): Promise<void> {
    return this.notify(host, 'DELETE', `/internal/rooms/${encodeURIComponent(roomId)}`, roomId, 'deleted')
  }

  /**
   * Tells a session server that the room was placed elsewhere, so it closes its stale copy with
   * ROOM_MOVED and its readers re-join the new host at once, instead of waiting for a write to be
   * fenced. Best effort, like `roomDeleted`.
   */
  roomMoved(host: string, roomId: string): Promise<void> {
    return this.notify(host, 'POST', `/internal/rooms/${encodeURIComponent(roomId)}/moved`, roomId, 'moved')
  }

  /**
   * Tells the room's session server that a member left, so it closes their sockets in the room
   * with LEFT_ROOM; `ownerId` when the room changed hands (the owner left), which the server
   * announces to the others. Best effort, like `roomDeleted`: the membership is already gone.
   */
  memberLeft(host: string, roomId: string, userId: string, ownerId?: string): Promise<void> {
    const query = ownerId === undefined ? '' : `?ownerId=${encodeURIComponent(ownerId)}`
    const path = `/internal/rooms/${encodeURIComponent(roomId)}/members/${encodeURIComponent(userId)}/left${query}`
    return this.notify(host, 'POST', path, roomId, 'member left')
  }

  /**
   * How many people are connected to each of `roomIds` on the session server at `host` (a room it
   * does not hold has nobody); undefined when it did not answer within the notice timeout, or
   * answered something else. For the directory, which shows what it knows and never waits long.
   */
  async onlineCounts(host: string, roomIds: readonly string[]): Promise<Record<string, number> | undefined> {
    try {
      const url = await this.urlOf(host, `/internal/rooms/online?ids=${roomIds.map(encodeURIComponent).join(',')}`)
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${this.serviceToken}` },
        signal: AbortSignal.timeout(NOTIFY_TIMEOUT_MS),
      })
      if (!response.ok) {
        await response.body?.cancel()
        return undefined
      }
      const body = OnlineCountsResponse.safeParse(await response.json())
      return body.success ? body.data.online : undefined
    } catch (error) {
      this.logger.debug({ host, err: error }, 'could not ask the session server who is online')
      return undefined
    }
  }

  private async notify(host: string, method: 'DELETE' | 'POST', path: string, roomId: string, event: string): Promise<void> {
    try {
      const url = await this.urlOf(host, path)
      const response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.serviceToken}` },
        signal: AbortSignal.timeout(NOTIFY_TIMEOUT_MS),
      })
      await response.body?.cancel()
      if (!response.ok && response.status !== 404) {
        this.logger.warn({ host, roomId, status: response.status, event }, 'session server refused the room notice')
      }
    } catch (error) {
      this.logger.warn({ host, roomId, err: error, event }, 'could not tell the session server about the room')
    }
  }
}
