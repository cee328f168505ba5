/**
 * Chaos, bounded in time: two session server PROCESSES, several rooms of chatting clients (the
 * real ChatConnection). Mid-stream one server is SIGKILLed (its rooms fail over to the other), it
 * comes back, then the other is drained with SIGTERM (its rooms move back, and it exits 0).
 * Every acknowledged message must end up in every client's view, gapless and once. Prints (does
 * not assert) the time from each kill until every affected client was live again.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFailed } from 'vitest'
import { Chatter, nextLiveTimes, startTraffic } from './helpers/Chatter.js'
import { expectRoomIntact, percentile } from './helpers/expectRoomIntact.js'
import { freePort, startBackendProcess, startSessionProcess, warningsOfAll } from './helpers/serviceProcesses.js'
import { trackServices } from './helpers/ServiceTracker.js'

const ROOMS = 3
const USERS_PER_ROOM = 3
/** Traffic stops by itself after this long, whatever happens. */
const MAX_TRAFFIC_MS = 20_000
/** Acknowledged messages (all rooms together) between two events, so each event hits live traffic. */
const MESSAGES_BETWEEN_EVENTS = 60

const { chatters, cleanups, track, forget } = trackServices()

function report(event: string, startedAt: number, liveAt: number[]): void {
  const ms = liveAt.map((at) => at - startedAt)
  console.info(
    `[chaos] ${event} → every affected client live again: p50 ${percentile(ms, 50)} ms, p99 ${percentile(ms, 99)} ms, ` +
      `max ${Math.max(...ms)} ms (${ms.length} clients)`,
  )
}

describe('chaos: a SIGKILL and a SIGTERM drain while rooms are chatting', () => {
  it('keeps every acknowledged message in every view, gapless and once, and the drained server exits 0', async () => {
    let phase = 'starting'
    onTestFailed(() => {
      const views = everyone.map((c) => {
        const state = c.connection?.getState()
        return `${c.userId.slice(0, 8)} ${state?.status.kind} pending=${state?.pending.length} last=${state?.messages.at(-1)?.seq}`
      })
      console.error(`failed while: ${phase}\n${views.join('\n')}\n${warningsOfAll()}`)
    })
    const dataDir = await mkdtemp(join(tmpdir(), 'scalable-chat-chaos-'))
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
    const [backendPort, portA, portB] = [await freePort(), await freePort(), await freePort()]
    const backendUrl = `http://127.0.0.1:${backendPort}`
    await track(startBackendProcess({ port: backendPort, dataDir, sessionHosts: [`127.0.0.1:${portA}`, `127.0.0.1:${portB}`] }))
    const sessionPorts = new Map<string, number>([
      [`127.0.0.1:${portA}`, portA],
      [`127.0.0.1:${portB}`, portB],
    ])
    const sessions = await Promise.all([portA, portB].map((port) => track(startSessionProcess({ port, backendUrl }))))

    const rooms: { roomId: string; users: Chatter[] }[] = []
    const everyone: Chatter[] = []
    for (let r = 0; r < ROOMS; r++) {
      const users = await Promise.all(
        Array.from({ length: USERS_PER_ROOM }, (_, i) =>
          Chatter.register({ backendUrl, username: `chaos${r}_${i}_${Date.now() % 1e6}`, sendIntervalMs: 50 }),
        ),
      )
      chatters.push(...users)
      everyone.push(...users)
      const { roomId } = await users[0]!.api.createRoom(`Chaos room ${r}`)
      await Promise.all(users.map((u) => u.join(roomId)))
      rooms.push({ roomId, users })
    }
    const hostOf = async (room: (typeof rooms)[number]) => (await room.users[0]!.api.joinRoom(room.roomId)).host
    const traffic = startTraffic(everyone, MAX_TRAFFIC_MS)
    cleanups.push(async () => traffic.stop())

    // 1. SIGKILL the server holding the most rooms.
    phase = 'SIGKILL'
    await traffic.when(() => traffic.acknowledged() >= MESSAGES_BETWEEN_EVENTS && traffic.inFlight())
    const placements = await Promise.all(rooms.map(hostOf))
    const victim = sessions
      .map((s) => ({ s, count: placements.filter((h) => h === s.host).length }))
      .sort((x, y) => y.count - x.count)[0]!.s
    const other = sessions.find((s) => s !== victim)!
    const hit = rooms.filter((_, i) => placements[i] === victim.host).flatMap((room) => room.users)
    let live = nextLiveTimes(hit)
    const killedAt = Date.now()
    await victim.kill('SIGKILL')
    forget(victim)
    report('SIGKILL', killedAt, await live)
    for (const room of rooms) expect(await hostOf(room)).toBe(other.host)

    phase = 'restarting the killed server'
    // It comes back empty on the same address; the backend may place rooms on it again.
    const restarted = await track(startSessionProcess({ port: sessionPorts.get(victim.host)!, backendUrl }))

    phase = 'draining'
    // 2. Drain the server that now holds every room.
    const beforeDrain = traffic.acknowledged()
    await traffic.when(() => traffic.acknowledged() >= beforeDrain + MESSAGES_BETWEEN_EVENTS && traffic.inFlight())
    live = nextLiveTimes(everyone)
    const drainedAt = Date.now()
    const exit = await other.kill('SIGTERM')
    forget(other)
    report('SIGTERM (drain)', drainedAt, await live)
    expect(exit).toEqual({ code: 0, signal: null })
    for (const room of rooms) expect(await hostOf(room)).toBe(restarted.host)

    phase = 'final traffic and checks'
    // 3. A little more traffic on the restarted server, then stop and check every room.
    await traffic.until(traffic.acknowledged() + MESSAGES_BETWEEN_EVENTS)
    traffic.stop()
    if (traffic.timedOut) console.info(`[chaos] the ${MAX_TRAFFIC_MS} ms traffic limit passed first: this machine is very slow`)
    for (const room of rooms) {
      const stored = await expectRoomIntact(room.roomId, room.users)
      expect(stored.length).toBeGreaterThan(0)
    }
  }, 120_000)
})
