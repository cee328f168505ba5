/**
 * Tells the backend when members' last connections to their rooms closed (the member list's "last
 * seen"), batched: at most one request per room every `REPORT_INTERVAL_MS`, and whatever is left
 * when the server drains. Best effort: a report the backend does not take is logged and dropped
 * (the next one for that member carries a newer time anyway).
 */
import { MAX_SEEN_ENTRIES } from '@scalable-chat/backend-contract/internal'
import type { BackendApi } from '../backendApi/BackendApi.js'
import type { Logger } from '../logger.js'

const REPORT_INTERVAL_MS = 5_000

export class SeenReporter {
  /** roomId → userId → when they were last seen (ISO). */
  private pending = new Map<string, Map<string, string>>()
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly deps: { backendApi: Pick<BackendApi, 'reportSeen'>; host: string; logger: Logger; intervalMs?: number }) {}

  note(roomId: string, userId: string, at: string): void {
    let room = this.pending.get(roomId)
    if (!room) this.pending.set(roomId, (room = new Map()))
    room.set(userId, at)
    this.timer ??= setTimeout(() => void this.flush(), this.deps.intervalMs ?? REPORT_INTERVAL_MS).unref()
  }

  /** Sends everything noted so far; resolves when the backend answered every request. */
  async flush(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    const pending = this.pending
    this.pending = new Map()
    await Promise.all(
      [...pending].flatMap(([roomId, seen]) => {
        const entries = [...seen].map(([userId, at]) => ({ userId, at }))
        const chunks: (typeof entries)[] = []
        for (let i = 0; i < entries.length; i += MAX_SEEN_ENTRIES) chunks.push(entries.slice(i, i + MAX_SEEN_ENTRIES))
        return chunks.map(async (chunk) => {
          const result = await this.deps.backendApi.reportSeen(roomId, { host: this.deps.host, seen: chunk })
          if (!result.ok) this.deps.logger.warn({ roomId, reason: result.reason, members: chunk.length }, 'could not report when members were last seen')
        })
      }),
    )
  }
}
