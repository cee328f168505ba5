/**
 * Several real session servers (factories on 127.0.0.1 port 0) in one fleet behind one real
 * backend with SCHEDULER=fleet: registration and heartbeats, spreading by load, and a drain that
 * moves rooms with no acknowledged message lost. Real kills (SIGKILL of a process) are in
 * client/test/fleetFailover.test.ts, where the real client follows its room.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startTestBackend, TEST_SERVICE_TOKEN, type TestBackend } from '@scalable-chat/backend-server/testing'
import type { AuthResponse, JoinRoomResponse } from '@scalable-chat/backend-contract'
import { afterEach, describe, expect, it } from 'vitest'
import { HttpBackendApi } from '../src/backendApi/HttpBackendApi.js'
import { loadConfig } from '../src/config.js'
import { createSessionServer, type SessionServer } from '../src/createSessionServer.js'
import { CloseCode, PROTOCOL_VERSION } from '@scalable-chat/protocol'
import { uniqueName } from './helpers/stack.js'
import { TestClient } from './helpers/TestClient.js'

interface FleetMember {
  host: string
  server: Server
  session: SessionServer
}

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function fleetBackend(): Promise<TestBackend> {
  const backend = await startTestBackend({ sessionServerHosts: [], overrides: { scheduler: 'fleet' } })
  cleanups.push(() => backend.close())
  return backend
}

/** A session server that joins the fleet as `main.ts` does (register, then heartbeats). */
async function startMember(backend: TestBackend, publicHost?: (port: number) => string): Promise<FleetMember> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const host = publicHost?.(port) ?? `127.0.0.1:${port}`
  const config = loadConfig({
    SERVICE_TOKEN: TEST_SERVICE_TOKEN,
    PUBLIC_HOST: host,
    BACKEND_URL: backend.internalUrl,
    FLEET_HEARTBEAT_INTERVAL_MS: '100',
    LOG_LEVEL: 'silent',
  })
  const http = new HttpBackendApi(config.BACKEND_URL, config.SERVICE_TOKEN)
  const session = createSessionServer({ config, server, backendApi: http, fleet: http })
  await session.registration?.start()
  cleanups.push(async () => {
    await session.close()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return { host, server, session }
}

async function api<T>(backend: TestBackend, method: string, path: string, token?: string, body?: unknown): Promise<T> {
  const response = await fetch(`${backend.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`)
  return (await response.json()) as T
}

const registerUser = (backend: TestBackend) =>
  api<AuthResponse>(backend, 'POST', '/api/register', undefined, { username: uniqueName(), password: 'correct horse battery' })
const createRoom = async (backend: TestBackend, token: string) =>
  (await api<{ roomId: string }>(backend, 'POST', '/api/rooms', token, { name: 'Fleet room' })).roomId
const joinRoom = (backend: TestBackend, token: string, roomId: string) =>
  api<JoinRoomResponse>(backend, 'GET', `/api/rooms/${roomId}`, token)

function connect(join: JoinRoomResponse, since?: number): TestClient {
  const url = new URL(/^wss?:\/\//.test(join.host) ? join.host : `ws://${join.host}`)
  url.searchParams.set('token', join.token)
  url.searchParams.set('v', String(PROTOCOL_VERSION))
  if (since !== undefined) url.searchParams.set('since', String(since))
  const client = new TestClient(url.href)
  cleanups.push(async () => client.terminate())
  return client
}

/** A fleet row; `seenAtUs` is the last heartbeat's stamp in microseconds (a Date would cut them). */
interface FleetRow {
  host: string
  rooms: number
  members: number
  draining: boolean
  seenAtUs: number
}

/** The database's clock, in the unit of `FleetRow.seenAtUs`. */
const epochMicros = (column: string) => `(extract(epoch FROM ${column}) * 1000000)::float8`

/** Resolves once the backend's fleet table satisfies `check` (heartbeats arrive every 100 ms). */
async function fleetWhere(backend: TestBackend, check: (rows: FleetRow[]) => boolean) {
  for (;;) {
    const rows = await backend.db.query<FleetRow>(
      `SELECT host, rooms, members, draining, ${epochMicros('last_seen_at')} AS "seenAtUs" FROM fleet_servers ORDER BY host`,
    )
    if (check(rows)) return rows
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

// Each test starts a backend (PGlite) and several servers: slow on two busy cores, not stuck.
describe('a fleet of session servers', { timeout: 60_000 }, () => {
  it('registers every server and reports each one’s rooms and members in its heartbeats', async () => {
    const backend = await fleetBackend()
    const [a, b] = [await startMember(backend), await startMember(backend)]
    const user = await registerUser(backend)
    const join = await joinRoom(backend, user.token, await createRoom(backend, user.token))
    await connect(join).next('snapshot')
    const rows = await fleetWhere(backend, (r) => r.some((s) => s.members === 1))
    expect(rows.map((r) => r.host).sort()).toEqual([a.host, b.host].sort())
    expect(rows.find((r) => r.host === join.host)).toMatchObject({ rooms: 1, members: 1, draining: false })
  })

  it('counts members as distinct users: a second tab of one user adds a connection, not a member', async () => {
    const backend = await fleetBackend()
    await startMember(backend)
    const [alice, bob] = [await registerUser(backend), await registerUser(backend)]
    const roomId = await createRoom(backend, alice.token)
    const join = await joinRoom(backend, alice.token, roomId)
    for (const client of [connect(join), connect(join), connect(await joinRoom(backend, bob.token, roomId))]) await client.next('snapshot')
    // The first heartbeat stamped after all three connected may have counted before they did (it
    // was on its way); the one after it was sent once that one was answered, so it counts them.
    // Heartbeats go one at a time, and both stamps are the database's clock, to the microsecond.
    const heartbeatAfter = async (sinceUs: number) =>
      (await fleetWhere(backend, (rows) => rows.some((r) => r.host === join.host && r.seenAtUs > sinceUs))).find((r) => r.host === join.host)!
    const [{ now }] = (await backend.db.query<{ now: number }>(`SELECT ${epochMicros('now()')} AS now`)) as [{ now: number }]
    const first = await heartbeatAfter(now)
    expect((await heartbeatAfter(first.seenAtUs)).members).toBe(2)
  })

  it('spreads rooms over the servers by load', async () => {
    const backend = await fleetBackend()
    const members = [await startMember(backend), await startMember(backend), await startMember(backend)]
    const user = await registerUser(backend)
    const hosts: string[] = []
    for (let i = 0; i < 6; i++) {
      const join = await joinRoom(backend, user.token, await createRoom(backend, user.token))
      await connect(join).next('snapshot')
      hosts.push(join.host)
    }
    for (const member of members) expect(hosts.filter((h) => h === member.host)).toHaveLength(2)
  })

  it('accepts a full ws:// URL with a path as the address, with or without the prefix on the request', async () => {
    const backend = await fleetBackend()
    const member = await startMember(backend, (port) => `ws://127.0.0.1:${port}/s/session-0`)
    const user = await registerUser(backend)
    const join = await joinRoom(backend, user.token, await createRoom(backend, user.token))
    expect(join.host).toBe(member.host)
    await connect(join).next('snapshot')
    const port = (member.server.address() as AddressInfo).port
    for (const path of ['/s/session-0/healthz', '/healthz']) {
      expect((await fetch(`http://127.0.0.1:${port}${path}`)).status).toBe(200)
    }
  })

  it('drains a server: it gets no new rooms, and its rooms move with no acknowledged message lost', async () => {
    const backend = await fleetBackend()
    const first = await startMember(backend)
    const [ana, bo] = [await registerUser(backend), await registerUser(backend)]
    const roomId = await createRoom(backend, ana.token)
    const anaClient = connect(await joinRoom(backend, ana.token, roomId))
    const boClient = connect(await joinRoom(backend, bo.token, roomId))
    await Promise.all([anaClient.next('snapshot'), boClient.next('snapshot')])
    const second = await startMember(backend)

    for (let i = 0; i < 5; i++) anaClient.send({ type: 'send', clientId: `a${i}`, text: `from ana ${i}` })
    for (let i = 0; i < 5; i++) boClient.send({ type: 'send', clientId: `b${i}`, text: `from bo ${i}` })
    // A stored message reaches every member; to its sender it is the acknowledgement.
    await boClient.waitForCount('message', 10)
    const acked = (await anaClient.waitForCount('message', 10)).map((m) => m.message.seq)

    const draining = first.session.drain()
    expect((await anaClient.closed).code).toBe(CloseCode.SERVICE_RESTART)
    await draining
    // Deregistered: gone from the fleet.
    await fleetWhere(backend, (rows) => rows.every((r) => r.host !== first.host))

    for (let i = 0; i < 3; i++) {
      expect((await joinRoom(backend, ana.token, await createRoom(backend, ana.token))).host).toBe(second.host)
    }
    const rejoin = await joinRoom(backend, ana.token, roomId)
    expect(rejoin.host).toBe(second.host)
    const snapshot = await connect(rejoin, 0).next('snapshot')
    const stored = new Set(snapshot.messages.map((m) => m.seq))
    for (const seq of acked) expect(stored.has(seq)).toBe(true)
    expect(snapshot.messages).toHaveLength(10)
  })
})
