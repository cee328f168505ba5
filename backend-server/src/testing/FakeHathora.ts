/**
 * A small fake of Hathora Cloud's rooms v2 HTTP API (statuses and bodies as observed with the SDK,
 * see HATHORA.md), a real HTTP server on 127.0.0.1 port 0. Tests point the real SDK at it through
 * `HATHORA_API_URL` and script it: how many polls a room takes to start, failures per route,
 * lost create responses, rooms destroyed behind the backend's back.
 */
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

type Route = 'create' | 'connectioninfo' | 'destroy'

interface FakeRoom {
  roomId: string
  processId: string
  region: string
  /** Connection-info polls answered so far. */
  polls: number
  /** The poll at which the room turns active (Infinity: never). */
  activeAfterPolls: number
  exposedPort: { host: string; port: number }
}

export interface FakeHathoraCall {
  route: Route
  roomId: string
  authorization: string | undefined
}

export interface FakeHathora {
  /** Base URL to give the SDK (`HATHORA_API_URL`). */
  url: string
  appId: string
  token: string
  /** Every call, in order. */
  calls: FakeHathoraCall[]
  /** Polls a new room answers `starting` before it is active (default 2). `Infinity`: never active. */
  activateAfterPolls: number
  /** Where the next created room's process is exposed (default: a fake edge host with a fresh port). */
  nextExposedPort: { host: string; port: number } | undefined
  /** The next `times` calls of `route` answer `status` (JSON `{ message }`) and change nothing. */
  failNext(route: Route, status: number, times?: number): void
  /** The next create creates the room but answers 500, as if the response was lost on the way. */
  loseNextCreateResponse(): void
  /** Destroys a room as Hathora does when it reaps an idle process or a process crashes. */
  destroyRoom(roomId: string): void
  /** The live room, or `undefined`. */
  room(roomId: string): { status: 'starting' | 'active'; host: string; region: string } | undefined
  createCalls(roomId: string): number
  close(): Promise<void>
}

export async function startFakeHathora(appId = 'app-fake-0123', token = 'fake-dev-token'): Promise<FakeHathora> {
  const rooms = new Map<string, FakeRoom>()
  const failures: { route: Route; status: number }[] = []
  let loseCreate = false
  let nextPort = 30_000

  const fake: FakeHathora = {
    url: '',
    appId,
    token,
    calls: [],
    activateAfterPolls: 2,
    nextExposedPort: undefined,
    failNext(route, status, times = 1) {
      for (let i = 0; i < times; i++) failures.push({ route, status })
    },
    loseNextCreateResponse() {
      loseCreate = true
    },
    destroyRoom(roomId) {
      rooms.delete(roomId)
    },
    room(roomId) {
      const room = rooms.get(roomId)
      if (!room) return undefined
      return { status: statusOf(room), host: `${room.exposedPort.host}:${room.exposedPort.port}`, region: room.region }
    },
    createCalls: (roomId) => fake.calls.filter((c) => c.route === 'create' && c.roomId === roomId).length,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }

  const statusOf = (room: FakeRoom) => (room.polls >= room.activeAfterPolls ? 'active' : 'starting')
  const connectionInfo = (room: FakeRoom) => ({
    roomId: room.roomId,
    status: statusOf(room),
    ...(statusOf(room) === 'active'
      ? { exposedPort: { ...room.exposedPort, transportType: 'tls', name: 'default' } }
      : {}),
    additionalExposedPorts: [],
  })

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => send(res, 500, { message: 'fake failed' }))
  })

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake')
    const body = await readBody(req)
    const match = /^\/rooms\/v2\/([^/]+)\/(create|connectioninfo|destroy)(?:\/([^/]+))?$/.exec(url.pathname)
    if (!match || match[1] !== appId) return send(res, 404, { message: 'unknown route or app' })
    const route = match[2] as Route
    const roomId = route === 'create' ? (url.searchParams.get('roomId') ?? randomUUID()) : decodeURIComponent(match[3] ?? '')
    fake.calls.push({ route, roomId, authorization: req.headers.authorization })

    // Connection info is public; the rest needs the dev token.
    if (route !== 'connectioninfo' && req.headers.authorization !== `Bearer ${token}`) {
      return send(res, 401, { message: 'Invalid token' })
    }
    const failure = failures.findIndex((f) => f.route === route)
    if (failure !== -1) {
      const { status } = failures.splice(failure, 1)[0]!
      return send(res, status, { message: `scripted ${status}` })
    }

    switch (route) {
      case 'create': {
        if (req.method !== 'POST') return send(res, 404, { message: 'not found' })
        const params = JSON.parse(body || '{}') as { region?: string }
        if (!params.region) return send(res, 422, { message: 'region is required' })
        if (rooms.has(roomId)) return send(res, 422, { message: `room ${roomId} already exists` })
        const room: FakeRoom = {
          roomId,
          processId: randomUUID(),
          region: params.region,
          polls: 0,
          activeAfterPolls: fake.activateAfterPolls,
          exposedPort: fake.nextExposedPort ?? { host: 'abc123.edge.hathora.dev', port: nextPort++ },
        }
        rooms.set(roomId, room)
        if (loseCreate) {
          loseCreate = false
          return send(res, 500, { message: 'lost on the way' })
        }
        return send(res, 201, { roomId, processId: room.processId, status: 'starting', additionalExposedPorts: [] })
      }
      case 'connectioninfo': {
        const room = rooms.get(roomId)
        if (!room) return send(res, 404, { message: `room ${roomId} not found` })
        room.polls++
        return send(res, 200, connectionInfo(room))
      }
      case 'destroy': {
        if (!rooms.delete(roomId)) return send(res, 404, { message: `room ${roomId} not found` })
        res.writeHead(204).end()
        return
      }
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return fake
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
