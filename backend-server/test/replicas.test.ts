/**
 * Two backend replicas (two full apps, each with its own Scheduler and health checks) on ONE
 * database: they must never place one room on two hosts. On Postgres (`TEST_DATABASE_URL`, as in
 * `.ci/run`) each replica has its own connection pool on a shared schema; without it both share
 * one PGlite database, whose single connection still interleaves the replicas' statements between
 * the read and the compare-and-set, so the same race is exercised.
 */
import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { JoinRoomResponse } from '@scalable-chat/backend-contract'
import { startTestBackend, type TestBackend } from '../src/testing/index.js'
import { bearer, createRoom, registerUser, startFakeSessionServer, type FakeSessionServer } from './helpers.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function fakeServer(): Promise<FakeSessionServer> {
  const server = await startFakeSessionServer()
  cleanups.push(() => server.close())
  return server
}

/** Two replicas on one database; each lists the hosts in another order, so alone they would disagree. */
async function startReplicas(hosts: string[]): Promise<[TestBackend, TestBackend]> {
  const shared = process.env.TEST_DATABASE_URL ? { schema: `replicas_${randomBytes(6).toString('hex')}` } : {}
  const first = await startTestBackend({ sessionServerHosts: hosts, ...shared })
  cleanups.push(() => first.close())
  const second = await startTestBackend({
    sessionServerHosts: [...hosts].reverse(),
    ...(process.env.TEST_DATABASE_URL ? { ...shared, keepData: true } : { database: first.db }),
  })
  cleanups.push(() => second.close())
  return [first, second]
}

/**
 * Through `fetch`, whose keep-alive pool re-uses connections between rounds: the requests of a
 * round then reach the replicas at the same moment instead of one TCP handshake apart.
 */
async function join(backend: TestBackend, token: string, roomId: string, query = '') {
  const res = await fetch(`${backend.url}/api/rooms/${roomId}${query}`, { headers: bearer(token) })
  return { status: res.status, body: (await res.json()) as JoinRoomResponse }
}

async function placementOf(backend: TestBackend, roomId: string) {
  const rows = await backend.db.query<{ host: string; epoch: unknown }>('SELECT host, epoch FROM placements WHERE room_id = $1', [
    roomId,
  ])
  return { host: rows[0]?.host, epoch: Number(rows[0]?.epoch) }
}

describe('two backend replicas on one database', () => {
  it('give many concurrent first joins of a fresh room, spread over both, one host and one epoch', async () => {
    const servers = [await fakeServer(), await fakeServer()]
    const replicas = await startReplicas(servers.map((s) => s.host))
    const users = await Promise.all(Array.from({ length: 2 }, () => registerUser(replicas[0])))
    for (let round = 0; round < 6; round++) {
      const roomId = await createRoom(replicas[round % 2]!, users[0]!.token)
      const joins = await Promise.all(
        Array.from({ length: 24 }, (_, i) => join(replicas[i % 2]!, users[i % users.length]!.token, roomId)),
      )
      expect(joins.map((j) => j.status)).toEqual(joins.map(() => 200))
      const hosts = new Set(joins.map((j) => j.body.host))
      expect(hosts.size).toBe(1)
      expect(await placementOf(replicas[0], roomId)).toEqual({ host: [...hosts][0], epoch: 1 })
    }
  })

  it('re-place a room whose server died exactly once when clients report it to both at the same time', async () => {
    const [a, b] = [await fakeServer(), await fakeServer()]
    const replicas = await startReplicas([a.host, b.host])
    const users = await Promise.all(Array.from({ length: 2 }, () => registerUser(replicas[0])))
    const roomId = await createRoom(replicas[0], users[0]!.token)
    const first = await join(replicas[0], users[0]!.token, roomId)
    const [holder, other] = first.body.host === a.host ? [a, b] : [b, a]

    await holder.close()
    const query = `?failedHost=${encodeURIComponent(holder.host)}`
    const joins = await Promise.all(
      Array.from({ length: 24 }, (_, i) => join(replicas[i % 2]!, users[i % users.length]!.token, roomId, query)),
    )
    expect(joins.map((j) => j.status)).toEqual(joins.map(() => 200))
    expect(new Set(joins.map((j) => j.body.host))).toEqual(new Set([other.host]))
    expect(await placementOf(replicas[1], roomId)).toEqual({ host: other.host, epoch: 2 })
  })
})
