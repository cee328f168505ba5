/**
 * Joins per second through the backend: `GET /api/rooms/:roomId` with real user tokens (placement
 * lookup, membership, a freshly signed room token), `concurrency` requests in flight over
 * keep-alive connections. Plain `node:http` rather than fetch: the load generator must cost less
 * than what it measures.
 */
import { Agent, request } from 'node:http'
import { performance } from 'node:perf_hooks'
import type { RateResult, Task } from '../tasks.js'
import { pool } from './connect.js'

type JoinTask = Extract<Task, { kind: 'joins' }>

export async function runJoins(task: JoinTask): Promise<RateResult> {
  const { backendUrl, userTokens, roomIds, query, requests, concurrency } = task
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  const base = new URL(backendUrl)
  let completed = 0
  let failed = 0
  let firstError: string | undefined
  const join = (i: number) =>
    new Promise<void>((resolve) => {
      const req = request(
        {
          agent,
          host: base.hostname,
          port: base.port,
          // Every user in the first room, then every user in the next: the first users × rooms
          // requests are each pair's first join.
          path: `/api/rooms/${roomIds[Math.floor(i / userTokens.length) % roomIds.length]}${query}`,
          headers: { authorization: `Bearer ${userTokens[i % userTokens.length]}` },
          timeout: task.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('end', () => {
            if (res.statusCode === 200) completed++
            else {
              failed++
              firstError ??= `HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 200)}`
            }
            resolve()
          })
        },
      )
      req.on('timeout', () => req.destroy(new Error('timed out')))
      req.on('error', (error) => {
        failed++
        firstError ??= error.message
        resolve()
      })
      req.end()
    })
  const start = performance.now()
  await pool(requests, concurrency, join)
  const durationMs = performance.now() - start
  agent.destroy()
  return { completed, failed, durationMs, ...(firstError === undefined ? {} : { firstError }) }
}
