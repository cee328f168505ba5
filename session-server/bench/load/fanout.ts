/**
 * The fan-out workload (also the latency, ramp and durability workloads, with other sizes): every
 * room gets `members` connections; member 0 sends `messagesPerSender` messages keeping at most
 * `window` unacknowledged (its own copy of the broadcast is its acknowledgement). Every member
 * counts what it receives, so a lost message shows up as a shortfall, and every delivery's latency
 * is measured from the send, on one clock: all connections live in this process.
 */
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import type { WebSocket } from 'ws'
import { percentile } from '../stats.js'
import type { FanoutResult, Task } from '../tasks.js'
import { clientIdOf, closeAll, isErrorFrame, isMessageFrame, memberUrl, openMember, pool } from './connect.js'

type FanoutTask = Extract<Task, { kind: 'fanout' }>

/** Handshakes in flight while the rooms fill up (not measured). */
const SETUP_CONCURRENCY = 25

export async function runFanout(task: FanoutTask): Promise<FanoutResult> {
  const { target, members, messagesPerSender, window, intervalMs, timeoutMs } = task
  const roomCount = target.roomIds.length
  const expected = roomCount * members * messagesPerSender
  const sockets: WebSocket[][] = Array.from({ length: roomCount }, () => [])
  await pool(roomCount * members, SETUP_CONCURRENCY, async (i) => {
    const room = Math.floor(i / members)
    const member = i % members
    sockets[room]![member] = await openMember(await memberUrl(target, room, member), timeoutMs)
  })

  // Unique to this run: a target may be measured again, and a clientId the room stored before is
  // answered as a re-send (to the sender alone), not broadcast.
  const run = randomBytes(4).toString('hex')
  const sentAt = new Map<string, number>()
  const latencies = new Float64Array(expected)
  const problems: string[] = []
  let deliveries = 0
  let end = 0
  let finish: () => void = () => {}
  const finished = new Promise<void>((resolve) => (finish = resolve))
  const fail = (problem: string) => {
    if (problems.length < 20) problems.push(problem)
    finish()
  }

  const senders: Array<() => void> = []
  for (let room = 0; room < roomCount; room++) {
    const roomSockets = sockets[room]!
    const sender = roomSockets[0]!
    let sent = 0
    let lastSentAt = -Infinity
    const sendNow = () => {
      const clientId = `${run}-r${room}-${sent++}`
      lastSentAt = performance.now()
      sentAt.set(clientId, lastSentAt)
      sender.send(`{"type":"send","clientId":"${clientId}","text":"benchmark message ${clientId}"}`)
    }
    // Paced: the next send waits until `intervalMs` after the previous one.
    const sendNext = () => {
      const wait = intervalMs === undefined ? 0 : lastSentAt + intervalMs - performance.now()
      if (wait <= 0) sendNow()
      else setTimeout(sendNow, wait)
    }
    senders.push(sendNext)
    for (const [member, ws] of roomSockets.entries()) {
      ws.on('message', (data: Buffer) => {
        const now = performance.now()
        if (isMessageFrame(data)) {
          const clientId = clientIdOf(data)
          const at = clientId === undefined ? undefined : sentAt.get(clientId)
          if (at === undefined) return fail(`room ${room} member ${member}: a message nobody sent: ${data.toString().slice(0, 200)}`)
          latencies[deliveries++] = now - at
          if (member === 0 && sent < messagesPerSender) sendNext()
          if (deliveries === expected) {
            end = now
            finish()
          }
        } else if (isErrorFrame(data)) {
          fail(`room ${room} member ${member}: ${data.toString().slice(0, 200)}`)
        }
      })
      ws.on('close', (code) => fail(`room ${room} member ${member}: closed with ${code}`))
    }
  }

  const start = performance.now()
  for (const sendNext of senders) for (let i = 0; i < Math.min(window, messagesPerSender); i++) sendNext()
  const timeout = setTimeout(() => fail(`timed out after ${timeoutMs} ms`), timeoutMs)
  await finished
  clearTimeout(timeout)
  if (end === 0) end = performance.now()
  for (const roomSockets of sockets) for (const ws of roomSockets) ws.removeAllListeners('close')
  await closeAll(sockets.flat())

  const measured = latencies.subarray(0, deliveries).sort()
  if (deliveries < expected && problems.length === 0) problems.push(`lost ${expected - deliveries} deliveries`)
  return {
    deliveries,
    expected,
    durationMs: end - start,
    p50Ms: percentile(measured, 0.5),
    p99Ms: percentile(measured, 0.99),
    problems,
  }
}
