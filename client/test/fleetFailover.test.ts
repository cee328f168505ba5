/**
 * Fail-over of a fleet with REAL kills: two session server processes (spawned with tsx, so
 * SIGKILL is a real crash), one backend with SCHEDULER=fleet, and the real ChatConnection
 * (`ws` and `fetch` injected). Prints the time from the kill to every client live again.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { startTestBackend, TEST_JWT_SECRET, TEST_SERVICE_TOKEN, type TestBackend } from '@scalable-chat/backend-server/testing'
import { SESSION_SERVER_MAIN_MODULE } from '@scalable-chat/session-server/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createApiClient, type ApiClient } from '../src/api/createApiClient.js'
import { ChatConnection, type ChatState, type SocketConstructor } from '../src/room/ChatConnection.js'

/** The backend counts a server dead after this much silence (heartbeats every 100 ms). */
const HEARTBEAT_TIMEOUT_MS = 1000

interface Member {
  host: string
  port: number
  process: ChildProcess
}

let backend: TestBackend
const running = new Set<ChildProcess>()

beforeAll(async () => {
  backend = await startTestBackend({
    sessionServerHosts: [],
    overrides: { scheduler: 'fleet', fleetHeartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS },
  })
}, 60_000)

afterAll(async () => {
  for (const child of running) child.kill('SIGKILL')
  await backend?.close()
})

/** A port nobody listens on now (the OS gave it out and took it back). */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** Starts `session-server/src/main.ts` as its own process; resolves once it listens (it registered before). */
async function spawnMember(port?: number): Promise<Member> {
  const listenPort = port ?? (await freePort())
  const child = spawn(process.execPath, ['--import', 'tsx', SESSION_SERVER_MAIN_MODULE], {
    env: {
      ...process.env,
      PORT: String(listenPort),
      BIND_ADDRESS: '127.0.0.1',
      PUBLIC_HOST: `127.0.0.1:${listenPort}`,
      BACKEND_URL: backend.url,
      JWT_SECRET: TEST_JWT_SECRET,
      SERVICE_TOKEN: TEST_SERVICE_TOKEN,
      FLEET_HEARTBEAT_INTERVAL_MS: '100',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  running.add(child)
  child.once('exit', () => running.delete(child))
  await new Promise<void>((resolve, reject) => {
    let buffered = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      if (buffered.includes('session server listening')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`session server exited with ${code}`)))
  })
  return { host: `127.0.0.1:${listenPort}`, port: listenPort, process: child }
}

function kill(member: Member): Promise<void> {
  return new Promise((resolve) => {
    member.process.once('exit', () => resolve())
    member.process.kill('SIGKILL')
  })
}

let userCounter = 0
async function signedInApi(): Promise<ApiClient> {
  let token: string | null = null
  const api = createApiClient({ baseUrl: backend.url, getToken: () => token })
  token = (await api.register({ username: `fleet${++userCounter}_${process.pid}`, password: 'correct horse' })).token
  return api
}

function connect(api: ApiClient, roomId: string): ChatConnection {
  const connection = new ChatConnection({
    roomId,
    api,
    WebSocket: WebSocket as unknown as SocketConstructor,
    secure: false,
    random: () => 0,
  })
  connection.start()
  return connection
}

function waitFor(connection: ChatConnection, predicate: (state: ChatState) => boolean): Promise<ChatState> {
  return new Promise((resolve) => {
    const check = () => {
      const state = connection.getState()
      if (!predicate(state)) return
      unsubscribe()
      resolve(state)
    }
    const unsubscribe = connection.subscribe(check)
    check()
  })
}

const isLive = (state: ChatState) => state.status.kind === 'live'

describe('a fleet under a real kill', { timeout: 120_000 }, () => {
  it('moves a killed server’s rooms, every client comes back live with its messages, and the restarted server does NOT take them back', async () => {
    const [a, b] = [await spawnMember(), await spawnMember()]
    const owner = await signedInApi()
    const rooms = await Promise.all(Array.from({ length: 6 }, (_, i) => owner.createRoom(`Room ${i}`)))
    const connections: Array<{ roomId: string; connection: ChatConnection }> = []
    for (const { roomId } of rooms) {
      for (let user = 0; user < 2; user++) connections.push({ roomId, connection: connect(user === 0 ? owner : await signedInApi(), roomId) })
    }
    await Promise.all(connections.map(({ connection }) => waitFor(connection, isLive)))
    // One message per connection, each acknowledged (stored) before the kill.
    for (const { connection } of connections) connection.send('before the kill')
    await Promise.all(connections.map(({ connection }) => waitFor(connection, (s) => s.messages.length === 2 && s.pending.length === 0)))

    const placedOn = async (roomId: string) => (await owner.joinRoom(roomId)).host
    const onA = (await Promise.all(rooms.map(async ({ roomId }) => ((await placedOn(roomId)) === a.host ? roomId : undefined)))).filter(
      (id): id is string => id !== undefined,
    )
    expect(onA.length).toBeGreaterThan(0)
    expect(onA.length).toBeLessThan(rooms.length)

    const affected = connections.filter(({ roomId }) => onA.includes(roomId))
    // Watched from before the kill, so a reconnect faster than this test can look is still seen.
    const wentDown = new Set<ChatConnection>()
    for (const { connection } of affected) {
      connection.subscribe(() => {
        if (!isLive(connection.getState())) wentDown.add(connection)
      })
    }
    const killedAt = performance.now()
    await kill(a)
    await Promise.all(connections.map(({ connection }) => waitFor(connection, (s) => isLive(s) && (!affected.some((c) => c.connection === connection) || wentDown.has(connection)))))
    const recoveryMs = Math.round(performance.now() - killedAt)
    console.log(`[fleet] SIGKILL of 1 of 2 session servers (${onA.length} of ${rooms.length} rooms, ${affected.length} clients): every client live again after ${recoveryMs} ms`)

    for (const { roomId } of rooms) expect(await placedOn(roomId)).toBe(b.host)
    for (const { connection } of connections) {
      expect(connection.getState().messages.filter((m) => m.text === 'before the kill')).toHaveLength(2)
    }
    // Still chatting after the move.
    affected[0]!.connection.send('after the move')
    await waitFor(affected[1]!.connection, (s) => s.messages.some((m) => m.text === 'after the move'))

    // a comes back on the same address: it registers empty and gets new rooms only.
    const back = await spawnMember(a.port)
    for (const roomId of onA) expect(await placedOn(roomId)).toBe(b.host)
    const fresh = await owner.createRoom('After the return')
    expect(await placedOn(fresh.roomId)).toBe(back.host)
    for (const { connection } of connections) connection.dispose()
  })

  it('moves a room whose server was killed once its heartbeats are missed, with no client reporting it', async () => {
    const [a, b] = [await spawnMember(), await spawnMember()]
    const api = await signedInApi()
    const { roomId } = await api.createRoom('Quiet room')
    const before = (await api.joinRoom(roomId)).host
    const [victim, survivor] = before === a.host ? [a, b] : [b, a]
    await kill(victim)
    // Plain joins (no failedHost): the room moves once the backend has missed the victim's heartbeats.
    let host = before
    while (host === before) host = (await api.joinRoom(roomId)).host
    expect(host).toBe(survivor.host)
  })
})
