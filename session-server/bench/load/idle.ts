/**
 * The memory workload's load: idle connections opened in stages (`stages`, cumulative counts of
 * `urls`), each stage held until the harness has measured the server, then all closed.
 */
import type { WebSocket } from 'ws'
import type { IdleResult, Task } from '../tasks.js'
import { closeAll, openMember, pool } from './connect.js'

type IdleTask = Extract<Task, { kind: 'idle' }>

const SETUP_CONCURRENCY = 25

export async function holdIdle(task: IdleTask, measured: () => Promise<void>): Promise<IdleResult> {
  const { urls, stages, localAddress, timeoutMs } = task
  const sockets: WebSocket[] = []
  try {
    for (const stage of stages) {
      const from = sockets.length
      const to = Math.min(stage, urls.length)
      await pool(to - from, SETUP_CONCURRENCY, async (i) => {
        sockets.push(await openMember(urls[from + i]!, timeoutMs, localAddress))
      })
      await measured()
    }
  } finally {
    await closeAll(sockets)
  }
  return { connections: sockets.length }
}
