import type { Logger } from 'pino'
import { sessionServerUrl } from './sessionServerUrl.js'

/** Deleting a room must not hang on a session server that is down or slow. */
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
  async roomDeleted(host: string, roomId: string): Promise<void> {
    try {
      const url = await this.urlOf(host, `/internal/rooms/${encodeURIComponent(roomId)}`)
      const response = await fetch(url, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${this.serviceToken}` },
        signal: AbortSignal.timeout(NOTIFY_TIMEOUT_MS),
      })
      await response.body?.cancel()
      if (!response.ok && response.status !== 404) {
        this.logger.warn({ host, roomId, status: response.status }, 'session server refused the room deletion')
      }
    } catch (error) {
      this.logger.warn({ host, roomId, err: error }, 'could not tell the session server that a room was deleted')
    }
  }
}
