/**
 * The baseline: a minimal `ws` broadcast server, what a room server could do at best on this
 * machine. No auth, no storage, no validation beyond JSON.parse, no compression. It speaks just
 * enough of the project's protocol for the same load generator to drive it: a `snapshot` on
 * connect, `send` → a `message` frame of the same shape to every member, the sender included, and
 * `cursor_move` → the naive pointer: that one position, as a `cursors` frame of the project's
 * shape, to every member at once (the project batches a room's moves instead). Like the project
 * it serialises each broadcast once and writes the same bytes to every member.
 *
 * Run by `run.ts` as its own process: `PORT=0` picks a port, printed as `listening <port>` on stdout.
 */
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'

interface BaselineRoom {
  members: Set<WebSocket>
  seq: number
}

const rooms = new Map<string, BaselineRoom>()
const server = createServer((_req, res) => res.writeHead(404).end())
const wss = new WebSocketServer({ server, perMessageDeflate: false })
const SNAPSHOT = Buffer.from(JSON.stringify({ type: 'snapshot' }))

/** Serialised once, the same bytes to every member (the sender included). */
function broadcast(room: BaselineRoom, event: object): void {
  const bytes = Buffer.from(JSON.stringify(event))
  for (const member of room.members) member.send(bytes, { binary: false })
}

wss.on('connection', (ws, req) => {
  const roomId = new URL(req.url ?? '/', 'http://baseline').searchParams.get('room') ?? 'default'
  let room = rooms.get(roomId)
  if (room === undefined) {
    room = { members: new Set(), seq: 0 }
    rooms.set(roomId, room)
  }
  const joined = room
  const userId = randomUUID()
  joined.members.add(ws)
  ws.send(SNAPSHOT, { binary: false })
  ws.on('close', () => {
    joined.members.delete(ws)
    if (joined.members.size === 0) rooms.delete(roomId)
  })
  ws.on('message', (data) => {
    let frame: { type?: unknown; clientId?: unknown; text?: unknown; x?: unknown; y?: unknown }
    try {
      frame = JSON.parse(String(data)) as typeof frame
    } catch {
      return
    }
    if (frame.type === 'cursor_move') return broadcast(joined, { type: 'cursors', moved: [{ userId, x: Number(frame.x), y: Number(frame.y) }], gone: [] })
    const message = {
      seq: ++joined.seq,
      id: randomUUID(),
      userId,
      username: 'baseline',
      text: String(frame.text),
      clientId: String(frame.clientId),
      createdAt: new Date().toISOString(),
    }
    broadcast(joined, { type: 'message', message })
  })
})

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`)
})
process.on('SIGTERM', () => process.exit(0))
