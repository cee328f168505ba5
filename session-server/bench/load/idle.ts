/**
 * The memory workload's load: `members` idle connections in every room, held open until the
 * harness has measured the server and says `finish`.
 */
import type { WebSocket } from 'ws'
import type { IdleResult, Task } from '../tasks.js'
import { closeAll, memberUrl, openMember, pool } from './connect.js'

type IdleTask = Extract<Task, { kind: 'idle' }>

const SETUP_CONCURRENCY = 25

export async function openIdle(task: IdleTask): Promise<{ result: IdleResult; close(): Promise<void> }> {
  const sockets: WebSocket[] = []
  const total = task.target.roomIds.length * task.members
  await pool(total, SETUP_CONCURRENCY, async (i) => {
    sockets.push(await openMember(await memberUrl(task.target, Math.floor(i / task.members), i % task.members), task.timeoutMs))
  })
  return { result: { connections: sockets.length }, close: () => closeAll(sockets) }
}
