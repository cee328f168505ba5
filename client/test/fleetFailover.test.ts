/**
 * Fail-over of a fleet with REAL kills: two session server processes (spawned with tsx, so
 * SIGKILL is a real crash), one backend with SCHEDULER=fleet, and the real ChatConnection
 * (`ws` and `fetch` injected). Prints the time from the kill to every client live again.
 */
import { startTestBackend, type TestBackend } from '@scalable-chat/backend-server/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ApiClient } from '../src/api/createApiClient.js'
import type { ChatConnection } from '../src/room/connection/ChatConnection.js'
import { disposeConnections, isLive, openConnection, signedInApi as signIn, waitForState } from './helpers/connections.js'
import { freePort, startSessionProcess, type ServiceProcess } from './helpers/serviceProcesses.js'
import { trackServices } from './helpers/ServiceTracker.js'

/** The backend counts a server dead after this much silence (heartbeats every 100 ms). */
const HEARTBEAT_TIMEOUT_MS = 1000

let backend: TestBackend
const services = trackServices()

beforeAll(async () => {
  backend = await startTestBackend({
    sessionServerHosts: [],
    overrides: { scheduler: 'fleet', fleetHeartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS },
  })
}, 60_000)

afterEach(disposeConnections)

afterAll(() => backend?.close())

/** A session server process of the fleet (it registers, then listens); on `port` again to restart one. */
async function spawnMember(port?: number): Promise<ServiceProcess> {
  return services.track(startSessionProcess({ port: port ?? (await freePort()), backendUrl: backend.url, env: { FLEET_HEARTBEAT_INTERVAL_MS: '100' } }))
}

const signedInApi = async (): Promise<ApiClient> => (await signIn(backend.url)).api
const kill = (member: ServiceProcess) => member.kill('SIGKILL')

describe('a fleet under a real kill', { timeout: 120_000 }, () => {
  it('moves a killed server’s rooms, every client comes back live with its messages, and the restarted server does NOT take them back', async () => {
    const [a, b] = [await spawnMember(), await spawnMember()]
    const owner = await signedInApi()
    const rooms = await Promise.all(Array.from({ length: 6 }, (_, i) => owner.createRoom(`Room ${i}`)))
    const connections: Array<{ roomId: string; connection: ChatConnection }> = []
    for (const { roomId } of rooms) {
      for (let user = 0; user < 2; user++) connections.push({ roomId, connection: openConnection(user === 0 ? owner : await signedInApi(), roomId) })
    }
    await Promise.all(connections.map(({ connection }) => waitForState(connection, isLive)))
    // One message per connection, each acknowledged (stored) before the kill.
    for (const { connection } of connections) connection.send('before the kill')
    await Promise.all(connections.map(({ connection }) => waitForState(connection, (s) => s.messages.length === 2 && s.pending.length === 0)))

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
    await Promise.all(connections.map(({ connection }) => waitForState(connection, (s) => isLive(s) && (!affected.some((c) => c.connection === connection) || wentDown.has(connection)))))
    const recoveryMs = Math.round(performance.now() - killedAt)
    console.log(`[fleet] SIGKILL of 1 of 2 session servers (${onA.length} of ${rooms.length} rooms, ${affected.length} clients): every client live again after ${recoveryMs} ms`)

    for (const { roomId } of rooms) expect(await placedOn(roomId)).toBe(b.host)
    for (const { connection } of connections) {
      expect(connection.getState().messages.filter((m) => m.text === 'before the kill')).toHaveLength(2)
    }
    // Still chatting after the move.
    affected[0]!.connection.send('after the move')
    await waitForState(affected[1]!.connection, (s) => s.messages.some((m) => m.text === 'after the move'))

    // a comes back on the same address: it registers empty and gets new rooms only.
    const back = await spawnMember(Number(a.host.split(':')[1]))
    for (const roomId of onA) expect(await placedOn(roomId)).toBe(b.host)
    const fresh = await owner.createRoom('After the return')
    expect(await placedOn(fresh.roomId)).toBe(back.host)
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
