/**
 * The abuse workload's attacker: one account opening `sockets` connections to its own room with
 * one room token, and sending `typing`/`status` toggles from every one it gets as fast as the
 * socket drains. Closed or refused, it connects again at once. What it achieves (sockets kept,
 * frames sent, how the server closed and refused it) is the result; what it costs others is
 * measured by the victim's fan-out, in another process.
 */
import { performance } from 'node:perf_hooks'
import { WebSocket } from 'ws'
import type { FloodResult, Task } from '../tasks.js'

type FloodTask = Extract<Task, { kind: 'flood' }>

/** Frames written per turn of the loop, and the send buffer below which a socket gets more. */
const FRAMES_PER_TURN = 50
const MAX_BUFFERED = 64 * 1024
const FRAMES = ['{"type":"typing","typing":true}', '{"type":"status","status":"away"}', '{"type":"typing","typing":false}', '{"type":"status","status":"online"}']

export async function startFlood(task: FloodTask): Promise<{ finish(): Promise<FloodResult> }> {
  const response = await fetch(`${task.backendUrl}/api/rooms/${task.roomId}`, { headers: { authorization: `Bearer ${task.userToken}` } })
  if (!response.ok) throw new Error(`join: HTTP ${response.status} ${await response.text()}`)
  const { host, token } = (await response.json()) as { host: string; token: string }
  const url = `ws://${host}/?token=${encodeURIComponent(token)}&v=1`

  const open = new Set<WebSocket>()
  const closes: Record<string, number> = {}
  const refusedHandshakes: Record<string, number> = {}
  let framesSent = 0
  let admittedAtStart = 0
  let stopped = false
  const start = performance.now()

  /** One socket's life: connect, flood while open, and connect again when it ends. */
  const connect = (first: boolean): Promise<void> =>
    new Promise((settled) => {
      const ws = new WebSocket(url, { perMessageDeflate: false })
      ws.on('error', () => {})
      // A snapshot means the server let this socket into the room (a refused one is closed first).
      if (first) ws.once('message', () => admittedAtStart++)
      ws.on('unexpected-response', (_req, res) => {
        refusedHandshakes[res.statusCode ?? 0] = (refusedHandshakes[res.statusCode ?? 0] ?? 0) + 1
        res.resume()
        ws.terminate()
      })
      ws.on('open', () => {
        open.add(ws)
        settled()
        const flood = () => {
          if (stopped || ws.readyState !== WebSocket.OPEN) return
          for (let i = 0; i < FRAMES_PER_TURN && ws.bufferedAmount < MAX_BUFFERED; i++) ws.send(FRAMES[framesSent++ % FRAMES.length]!)
          setImmediate(flood)
        }
        flood()
      })
      ws.on('close', (code) => {
        settled()
        if (open.delete(ws)) closes[code] = (closes[code] ?? 0) + 1
        // Again at once: a refused reconnect (429) is the server's to handle too.
        if (!stopped) setTimeout(() => void connect(false), 0)
      })
    })

  await Promise.all(Array.from({ length: task.sockets }, () => connect(true)))
  return {
    async finish() {
      stopped = true
      const durationMs = performance.now() - start
      await Promise.all(
        [...open].map((ws) => new Promise<void>((resolve) => {
          ws.once('close', () => resolve())
          ws.terminate()
        })),
      )
      return { admittedAtStart, framesSent, closes, refusedHandshakes, durationMs }
    },
  }
}
