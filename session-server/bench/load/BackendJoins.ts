/**
 * Joins through the backend as the web client's `SessionLink` does: `GET /api/rooms/:roomId` with
 * the user's token, and on a reconnect `rejoin=1` and, when a server failed it, `failedHost`.
 * Plain `node:http` over a keep-alive pool rather than fetch: a storm process sends a thousand of
 * these at once, and the load generator must cost less than what it measures.
 */
import { Agent, request } from 'node:http'

export type JoinAnswer = { ok: true; host: string; token: string } | { ok: false; status: number; detail: string }

/** A join the backend takes longer than this to answer is a failed attempt (the client retries). */
const JOIN_TIMEOUT_MS = 30_000

export class BackendJoins {
  private readonly agent: Agent
  private readonly base: URL

  /**
   * `maxSockets`: connections to the backend at once. A pool, not a connection per client as
   * 5,000 browsers would open: the backend serves one request at a time on its event loop either
   * way, and a pool keeps the load process's own CPU out of the figures.
   */
  constructor(backendUrl: string, maxSockets: number) {
    this.base = new URL(backendUrl)
    this.agent = new Agent({ keepAlive: true, maxSockets })
  }

  join(roomId: string, userToken: string, options: { failedHost?: string | undefined; rejoin: boolean }): Promise<JoinAnswer> {
    const query = new URLSearchParams()
    if (options.failedHost !== undefined) query.set('failedHost', options.failedHost)
    if (options.rejoin) query.set('rejoin', '1')
    const search = query.size > 0 ? `?${query}` : ''
    return new Promise((resolve) => {
      const req = request(
        {
          agent: this.agent,
          host: this.base.hostname,
          port: this.base.port,
          path: `/api/rooms/${encodeURIComponent(roomId)}${search}`,
          headers: { authorization: `Bearer ${userToken}` },
          timeout: JOIN_TIMEOUT_MS,
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString()
            if (res.statusCode !== 200) return resolve({ ok: false, status: res.statusCode ?? 0, detail: body.slice(0, 200) })
            const { host, token } = JSON.parse(body) as { host: string; token: string }
            resolve({ ok: true, host, token })
          })
        },
      )
      req.on('timeout', () => req.destroy(new Error(`no answer within ${JOIN_TIMEOUT_MS} ms`)))
      // Status 0: the backend did not answer at all.
      req.on('error', (error) => resolve({ ok: false, status: 0, detail: error.message }))
      req.end()
    })
  }

  close(): void {
    this.agent.destroy()
  }
}
