/**
 * One account's frame flood, as a process of its own (so that its load never shares an event loop
 * with the test measuring the victim): opens `SOCKETS` connections with one room token (`URL`),
 * sends typing and status toggles from every one the server lets in as fast as the socket drains,
 * connects again whenever one is closed or refused, and stops after `DURATION_MS` or on SIGTERM.
 * Prints its tally as one JSON line (`FloodTally`) on stdout.
 *
 *   URL=ws://… SOCKETS=200 DURATION_MS=10000 node --import tsx flooder.ts
 */
import { WebSocket } from 'ws'

export interface FloodTally {
  /** Of the first `SOCKETS` connections, those let into the room (sent a snapshot). */
  admittedAtStart: number
  framesSent: number
  /** How the server closed flood sockets: close code → count. */
  closes: Record<string, number>
  /** Connects refused before the upgrade: HTTP status → count. */
  refused: Record<string, number>
}

const FRAMES = ['{"type":"typing","typing":true}', '{"type":"status","status":"away"}', '{"type":"typing","typing":false}', '{"type":"status","status":"online"}']
const MAX_BUFFERED = 64 * 1024

const url = process.env.URL ?? ''
const sockets = Number(process.env.SOCKETS ?? '1')
const durationMs = Number(process.env.DURATION_MS ?? '10000')
const tally: FloodTally = { admittedAtStart: 0, framesSent: 0, closes: {}, refused: {} }
let stopped = false
const open = new Set<WebSocket>()

function connect(first: boolean): void {
  if (stopped) return
  const ws = new WebSocket(url, { perMessageDeflate: false })
  ws.on('error', () => {})
  ws.once('message', () => {
    if (first) tally.admittedAtStart++
  })
  ws.on('unexpected-response', (_req, res) => {
    tally.refused[res.statusCode ?? 0] = (tally.refused[res.statusCode ?? 0] ?? 0) + 1
    res.resume()
    ws.terminate()
  })
  ws.on('open', () => {
    open.add(ws)
    const flood = () => {
      if (stopped || ws.readyState !== WebSocket.OPEN) return
      for (let i = 0; i < 50 && ws.bufferedAmount < MAX_BUFFERED; i++) ws.send(FRAMES[tally.framesSent++ % FRAMES.length]!)
      setImmediate(flood)
    }
    flood()
  })
  ws.on('close', (code) => {
    if (open.delete(ws)) tally.closes[code] = (tally.closes[code] ?? 0) + 1
    setImmediate(() => connect(false))
  })
}

function stop(): void {
  if (stopped) return
  stopped = true
  for (const ws of open) ws.terminate()
  process.stdout.write(`${JSON.stringify(tally)}\n`, () => process.exit(0))
}

for (let i = 0; i < sockets; i++) connect(true)
setTimeout(stop, durationMs)
process.on('SIGTERM', stop)
