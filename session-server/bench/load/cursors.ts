/**
 * The board's pointers: every member of one room sends `cursor_move` at `hz`, as a person's
 * client does while the mouse moves, and counts the `cursors` frames it receives and the
 * positions they carry. The project batches the room's moves (one frame per member per
 * `cursorIntervalMs`); the baseline sends every move to every member as it comes. A member's
 * last move is at x = -1: once every member has seen every member's last position, both servers
 * have handled every move (the baseline keeps each sender's order; the project's last batch
 * holds each pointer's latest position), and the phase ends.
 */
import { performance } from 'node:perf_hooks'
import type { WebSocket } from 'ws'
import type { CursorsResult, Task } from '../tasks.js'
import { closeAll, isErrorFrame, memberUrl, openMember, pool, startsWith } from './connect.js'

type CursorsTask = Extract<Task, { kind: 'cursors' }>

const SETUP_CONCURRENCY = 25
const CURSORS_PREFIX = Buffer.from('{"type":"cursors"')
/** Each entry of `moved` starts so (both servers write `{ userId, x, y }` in that order). */
const POSITION = Buffer.from('{"userId":')
const LAST_X = -1
const LAST_POSITION = Buffer.from(`"x":${LAST_X},`)

/** How often `needle` occurs in `data`: the load generator counts bytes rather than parse 100-entry frames. */
function occurrences(data: Buffer, needle: Buffer): number {
  let count = 0
  for (let at = data.indexOf(needle); at >= 0; at = data.indexOf(needle, at + needle.length)) count++
  return count
}

export async function openCursorRoom(task: CursorsTask): Promise<{ move(): Promise<void>; close(): Promise<CursorsResult> }> {
  const { target, members, hz, moves, timeoutMs } = task
  const sockets: WebSocket[] = []
  await pool(members, SETUP_CONCURRENCY, async (member) => {
    sockets[member] = await openMember(await memberUrl(target, 0, member), timeoutMs)
  })

  const problems: string[] = []
  let counting = false
  let movesSent = 0
  let framesReceived = 0
  let positionsReceived = 0
  /** Per member: how many members' last positions it has seen. */
  const lastSeen = new Array<number>(members).fill(0)
  let complete = 0
  let finish: () => void = () => {}
  const finished = new Promise<void>((resolve) => (finish = resolve))
  const fail = (problem: string) => {
    if (problems.length < 20) problems.push(problem)
    finish()
  }
  for (const [member, ws] of sockets.entries()) {
    ws.on('message', (data: Buffer) => {
      if (startsWith(data, CURSORS_PREFIX)) {
        // The phase's alone: members leaving at the end bring batches of `gone` pointers.
        if (!counting) return
        framesReceived++
        positionsReceived += occurrences(data, POSITION)
        const last = occurrences(data, LAST_POSITION)
        if (last === 0) return
        lastSeen[member]! += last
        if (lastSeen[member] === members && ++complete === members) finish()
      } else if (isErrorFrame(data)) {
        fail(`member ${member}: ${data.toString().slice(0, 200)}`)
      }
    })
    ws.on('close', (code) => fail(`member ${member}: closed with ${code}`))
  }

  let start = 0
  let end = 0
  return {
    async move() {
      counting = true
      start = performance.now()
      const period = 1000 / hz
      for (const [member, ws] of sockets.entries()) {
        // Members spread over the period, as people's clients are; each move due at its own time
        // (a late one is sent at once, and the count stays `moves`).
        const offset = (member * period) / members
        let sent = 0
        const next = () => {
          if (sent === moves || ws.readyState !== ws.OPEN) return
          const x = sent === moves - 1 ? LAST_X : sent
          ws.send(`{"type":"cursor_move","x":${x},"y":${member}}`)
          sent++
          movesSent++
          if (sent < moves) setTimeout(next, Math.max(0, start + offset + sent * period - performance.now()))
        }
        setTimeout(next, offset)
      }
      const timeout = setTimeout(() => fail(`timed out after ${timeoutMs} ms`), timeoutMs)
      await finished
      clearTimeout(timeout)
      end = performance.now()
      counting = false
    },
    async close() {
      for (const ws of sockets) ws.removeAllListeners('close')
      await closeAll(sockets)
      if (complete < members) {
        const missing = lastSeen.reduce((sum, seen) => sum + (members - seen), 0)
        problems.push(`${missing} of ${members * members} last positions never reached their member`)
      }
      return { movesSent, framesReceived, positionsReceived, durationMs: end - start, problems }
    },
  }
}
