/**
 * WebSocket handshakes per second: open, wait for the first frame (for the project: token
 * verified, member added, snapshot sent), close. The project's room tokens are fetched first and
 * not timed: the backend's joins have their own workload.
 */
import { performance } from 'node:perf_hooks'
import type { RateResult, Task } from '../tasks.js'
import { closeAll, memberUrl, openMember, pool } from './connect.js'

type HandshakeTask = Extract<Task, { kind: 'handshakes' }>

export async function runHandshakes(task: HandshakeTask): Promise<RateResult> {
  const { target, count, concurrency, timeoutMs } = task
  const members = target.kind === 'project' ? target.userTokens.length : 1
  const rooms = target.roomIds.length
  // One URL per (room, member) pair, reused: a token may open any number of connections.
  const urls: string[] = []
  await pool(rooms * members, 25, async (i) => {
    urls[i] = await memberUrl(target, i % rooms, Math.floor(i / rooms))
  })
  let completed = 0
  let failed = 0
  let firstError: string | undefined
  const start = performance.now()
  await pool(count, concurrency, async (i) => {
    try {
      const ws = await openMember(urls[i % urls.length]!, timeoutMs)
      completed++
      await closeAll([ws])
    } catch (error) {
      failed++
      firstError ??= error instanceof Error ? error.message : String(error)
    }
  })
  return { completed, failed, durationMs: performance.now() - start, ...(firstError === undefined ? {} : { firstError }) }
}
