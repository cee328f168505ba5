/**
 * Durability under crashes, with real processes (the backend on PGlite in a temp DATA_DIR, two
 * session servers) and the real ChatConnection: a session server is SIGKILLed while several
 * clients send; then all three services are SIGKILLed and restarted on the same data directory.
 * Prints (does not assert) how long the clients took to be live again after the kill.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFailed } from 'vitest'
import { Chatter, nextLiveTimes, startTraffic } from './helpers/Chatter.js'
import { expectRoomIntact, percentile, storedHistory } from './helpers/expectRoomIntact.js'
import { freePort, startBackendProcess, startSessionProcess, warningsOfAll } from './helpers/serviceProcesses.js'
import { trackServices } from './helpers/ServiceTracker.js'

/** Traffic stops by itself after this long, whatever happens. */
const MAX_TRAFFIC_MS = 20_000

const { chatters, cleanups, killAll, track, forget } = trackServices()

describe('a session server killed with SIGKILL mid-stream', () => {
  it('loses no acknowledged message: storage and every client view are gapless and hold each message once; a full restart keeps it all', async () => {
    onTestFailed(() => console.error(warningsOfAll()))
    const dataDir = await mkdtemp(join(tmpdir(), 'scalable-chat-crash-'))
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
    const [backendPort, portA, portB] = [await freePort(), await freePort(), await freePort()]
    const hosts = [`127.0.0.1:${portA}`, `127.0.0.1:${portB}`]
    const backendUrl = `http://127.0.0.1:${backendPort}`
    await track(startBackendProcess({ port: backendPort, dataDir, sessionHosts: hosts }))
    const sessions = await Promise.all([portA, portB].map((port) => track(startSessionProcess({ port, backendUrl }))))

    const users = await Promise.all(
      Array.from({ length: 4 }, (_, i) => Chatter.register({ backendUrl, username: `crash${i}_${Date.now() % 1e6}`, sendIntervalMs: 20 })),
    )
    chatters.push(...users)
    const { roomId } = await users[0]!.api.createRoom('Crash room')
    await Promise.all(users.map((u) => u.join(roomId)))
    const holderHost = (await users[0]!.api.joinRoom(roomId)).host
    const holder = sessions.find((s) => s.host === holderHost)!
    const survivor = sessions.find((s) => s !== holder)!

    const traffic = startTraffic(users, MAX_TRAFFIC_MS)
    cleanups.push(async () => traffic.stop())

    // Mid-stream: messages are in flight (each user has some pending) when the server dies.
    await traffic.when(() => traffic.acknowledged() >= 40 && traffic.inFlight())
    const live = nextLiveTimes(users)
    const unacknowledgedAtKill = users.reduce((sum, u) => sum + u.state.pending.length, 0)
    const killedAt = Date.now()
    await holder.kill('SIGKILL')
    forget(holder)
    const recoveredAt = await live
    const recoveryMs = recoveredAt.map((at) => at - killedAt)
    console.info(
      `[crash] SIGKILL → every client live again on the other server: p50 ${percentile(recoveryMs, 50)} ms, ` +
        `p99 ${percentile(recoveryMs, 99)} ms, max ${Math.max(...recoveryMs)} ms ` +
        `(${users.length} clients, ${unacknowledgedAtKill} messages unacknowledged at the kill)`,
    )
    expect((await users[0]!.api.joinRoom(roomId)).host).toBe(survivor.host)

    // More traffic on the new server, then stop and check.
    await traffic.until(traffic.acknowledged() + 40)
    traffic.stop()
    if (traffic.timedOut) console.info(`[crash] the ${MAX_TRAFFIC_MS} ms traffic limit passed first: this machine is very slow`)
    const stored = await expectRoomIntact(roomId, users)
    expect(stored.length).toBeGreaterThan(0)

    // Now every service dies at once, and comes back on the same data directory and ports.
    for (const user of users) user.dispose()
    await killAll()
    await track(startBackendProcess({ port: backendPort, dataDir, sessionHosts: hosts }))
    await Promise.all([portA, portB].map((port) => track(startSessionProcess({ port, backendUrl }))))

    // Tokens survive (same secret); the history is intact through the API and in a fresh view.
    expect(await storedHistory(users[1]!.api, roomId)).toEqual(stored)
    const reader = users[2]!
    await reader.join(roomId)
    expect(await reader.loadAllHistory()).toEqual(stored)
  }, 120_000)
})
