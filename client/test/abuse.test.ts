/**
 * The abuse battery: valid input in hostile amounts from ONE signed-in account (and a stranger's
 * requests), against the backend and a session server running as processes with their
 * production limits. Each attack is run for real, and another account is shown unharmed: its
 * messages all acknowledged, its room placed, its requests answered, its login working. The
 * figures (latency, refusals, memory) are printed, never asserted: the `flood` benchmark measures
 * the victim's latency over repeated rounds (`npm run bench -- --only=flood`).
 */
import { spawn } from 'node:child_process'
import { createPrivateKey, createSecretKey, generateKeyPairSync } from 'node:crypto'
import { readFile, mkdtemp, rm } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as delay } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import jwt from 'jsonwebtoken'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { TEST_SERVICE_TOKEN } from '@scalable-chat/backend-server/testing'
import { RoomTokenKeyResponse } from '@scalable-chat/backend-contract/internal'
import { CloseCode, handshakeUrl, ServerMessage } from '@scalable-chat/protocol'
import type { ApiError } from '../src/api/ApiError.js'
import { PASSWORD, signedInApi, uniqueName, type SignedIn } from './helpers/connections.js'
import { percentile } from './helpers/expectRoomIntact.js'
import type { FloodTally } from './helpers/flooder.js'
import { freePort, startBackendProcess, startSessionProcess, warningsOfAll, type ServiceProcess } from './helpers/serviceProcesses.js'

const FLOODER = fileURLToPath(new URL('./helpers/flooder.ts', import.meta.url))
/** The session server's defaults these tests lean on (its README's Limits table). */
const MAX_CONNECTIONS_PER_USER_PER_ROOM = 5
const MAX_PENDING_PLACEMENTS_PER_USER = 3
const PRESENCE_INTERVAL_MS = 500

let backend: ServiceProcess
let session: ServiceProcess
let backendUrl: string
let dataDir: string

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'scalable-chat-abuse-'))
  const [backendPort, sessionPort] = [await freePort(), await freePort()]
  backendUrl = `http://127.0.0.1:${backendPort}`
  // TRUST_PROXY: the lockout test plays clients at different addresses through X-Forwarded-For.
  backend = await startBackendProcess({ port: backendPort, dataDir, sessionHosts: [`127.0.0.1:${sessionPort}`], env: { TRUST_PROXY: 'loopback' } })
  session = await startSessionProcess({ port: sessionPort, backendUrl, limits: 'production' })
}, 60_000)

afterAll(async () => {
  await Promise.all([session?.kill('SIGTERM'), backend?.kill('SIGTERM')])
  await rm(dataDir, { recursive: true, force: true })
})

/** A WebSocket to a room, recording every frame, with waits on what arrived. */
class Socket {
  readonly ws: WebSocket
  readonly frames: ServerMessage[] = []
  readonly closed: Promise<number>
  private listeners: (() => void)[] = []

  constructor(url: string) {
    this.ws = new WebSocket(url)
    this.ws.on('error', () => {})
    this.closed = new Promise((resolve) => this.ws.once('close', (code) => resolve(code)))
    this.ws.on('message', (data) => {
      this.frames.push(ServerMessage.parse(JSON.parse(String(data))))
      for (const listener of this.listeners) listener()
    })
  }

  static async join(user: SignedIn, roomId: string): Promise<Socket> {
    const { host, token } = await user.api.joinRoom(roomId)
    const socket = new Socket(handshakeUrl({ host, token, secure: false }))
    await socket.until((f) => f.type === 'snapshot')
    return socket
  }

  until(match: (frame: ServerMessage) => boolean): Promise<ServerMessage> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.frames.find(match)
        if (!found) return
        this.listeners = this.listeners.filter((l) => l !== check)
        resolve(found)
      }
      this.listeners.push(check)
      void this.closed.then((code) => reject(new Error(`closed with ${code} while waiting`)))
      check()
    })
  }

  /**
   * Sends one message and resolves with the time until its acknowledgement, in ms, or `Infinity`
   * when none came within `timeoutMs` (what a victim of an unprotected server gets).
   */
  async send(clientId: string, timeoutMs = 10_000): Promise<number> {
    const start = performance.now()
    this.ws.send(JSON.stringify({ type: 'send', clientId, text: `victim ${clientId}` }))
    const giveUp = new AbortController()
    const answer = await Promise.race([
      this.until((f) => (f.type === 'message' && f.message.clientId === clientId) || (f.type === 'error' && f.clientId === clientId)),
      delay(timeoutMs, undefined, { signal: giveUp.signal }).catch(() => undefined),
    ])
    giveUp.abort()
    if (answer?.type === 'error') throw new Error(`${clientId} refused: ${answer.code} ${answer.message}`)
    return answer === undefined ? Number.POSITIVE_INFINITY : performance.now() - start
  }
}

/** `count` messages, `intervalMs` apart (within the default message limits), with their ack times. */
async function pacedSends(socket: Socket, prefix: string, count: number, intervalMs: number): Promise<number[]> {
  const latencies: number[] = []
  for (let i = 0; i < count; i++) {
    const started = performance.now()
    latencies.push(await socket.send(`${prefix}-${i}`))
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - (performance.now() - started))))
  }
  return latencies
}

const summary = (ms: number[]) => {
  const acked = ms.filter(Number.isFinite)
  const lost = ms.length - acked.length
  return `p50 ${percentile(ms, 50).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms, max ${Math.max(...ms).toFixed(1)} ms` + (lost > 0 ? ` (${lost} of ${ms.length} not acknowledged within 10 s)` : '')
}

/** The flooder process: one account's sockets to its room, flooding until stopped. */
function startFlooder(url: string, sockets: number): { stop(): Promise<FloodTally> } {
  const child = spawn(process.execPath, ['--import', 'tsx', FLOODER], {
    env: { PATH: process.env.PATH ?? '', URL: url, SOCKETS: String(sockets), DURATION_MS: '60000' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let output = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    async stop() {
      child.kill('SIGTERM')
      await exited
      return JSON.parse(output) as FloodTally
    },
  }
}

/** A process's resident memory, from /proc. */
async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024
}

describe('abuse battery', () => {
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => console.error(warningsOfAll()))
  })

  it('a frame flood from one account (200 sockets, one token) leaves another room acknowledging every message', async () => {
    const [victim, roommate, attacker, bystander] = await Promise.all(['victim', 'roommate', 'flooder', 'bystander'].map((p) => signedInApi(backendUrl, uniqueName(p))))
    const { roomId: victimRoom } = await victim!.api.createRoom('Victim room')
    const { roomId: attackerRoom } = await attacker!.api.createRoom('Flood room')
    const [sender, reader] = [await Socket.join(victim!, victimRoom), await Socket.join(roommate!, victimRoom)]
    const watcher = await Socket.join(bystander!, attackerRoom)

    const quiet = await pacedSends(sender, 'quiet', 10, 500)
    const { host, token } = await attacker!.api.joinRoom(attackerRoom)
    const flooder = startFlooder(handshakeUrl({ host, token, secure: false }), 200)
    // The flood is on once the attacker's room hears from it.
    await Promise.race([
      watcher.until((f) => (f.type === 'typing' || f.type === 'status') && f.userId === attacker!.userId),
      new Promise((resolve) => setTimeout(resolve, 5000)),
    ])
    const floodStart = performance.now()
    const during = await pacedSends(sender, 'flood', 10, 500)
    const floodMs = performance.now() - floodStart
    const tally = await flooder.stop()
    const presence = watcher.frames.filter((f) => (f.type === 'typing' || f.type === 'status') && f.userId === attacker!.userId).length

    console.info(
      `[abuse] frame flood: victim send→ack quiet ${summary(quiet)}; during the flood ${summary(during)}\n` +
        `[abuse]   attacker: ${tally.admittedAtStart} of 200 sockets let in, ${tally.framesSent} frames written, ` +
        `closed ${JSON.stringify(tally.closes)}, reconnects refused ${JSON.stringify(tally.refused)}; ` +
        `its room heard ${presence} typing/status broadcasts in ${(floodMs / 1000).toFixed(1)} s`,
    )
    // The victim: every message acknowledged, in order, and its room-mate saw them all.
    const seqs = sender.frames.flatMap((f) => (f.type === 'message' ? [f.message.seq] : []))
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    await reader.until((f) => f.type === 'message' && f.message.clientId === 'flood-9')
    expect(reader.frames.filter((f) => f.type === 'message')).toHaveLength(20)
    // The attacker: held to its share of sockets, closed and refused, its toggles coalesced.
    expect(tally.admittedAtStart).toBeLessThanOrEqual(MAX_CONNECTIONS_PER_USER_PER_ROOM)
    expect((tally.closes[CloseCode.POLICY_VIOLATION] ?? 0) + (tally.closes[CloseCode.TOO_MANY_CONNECTIONS] ?? 0)).toBeGreaterThan(0)
    expect(presence).toBeLessThanOrEqual(2 * (Math.ceil(floodMs / PRESENCE_INTERVAL_MS) + 2))
  }, 60_000)

  it('holds one account to its sockets per room however many it opens, and lets others in', async () => {
    const [grabber, other] = await Promise.all([signedInApi(backendUrl, uniqueName('sockets')), signedInApi(backendUrl, uniqueName('other'))])
    const { roomId } = await grabber!.api.createRoom('Socket grab')
    const { host, token } = await grabber!.api.joinRoom(roomId)
    const sockets = Array.from({ length: 200 }, () => new Socket(handshakeUrl({ host, token, secure: false })))
    const outcomes = await Promise.all(
      sockets.map(
        (socket) =>
          new Promise<string>((resolve) => {
            socket.ws.once('unexpected-response', (_req, res) => resolve(`HTTP ${res.statusCode}`))
            void socket.until((f) => f.type === 'snapshot').then(() => resolve('let in'), () => undefined)
            void socket.closed.then((code) => resolve(`closed ${code}`))
          }),
      ),
    )
    const counts = outcomes.reduce<Record<string, number>>((all, o) => ({ ...all, [o]: (all[o] ?? 0) + 1 }), {})
    console.info(`[abuse] 200 sockets with one room token: ${JSON.stringify(counts)}`)
    expect(counts['let in']).toBe(MAX_CONNECTIONS_PER_USER_PER_ROOM)
    expect(Object.keys(counts).sort()).toEqual(['HTTP 429', 'closed 4029', 'let in'])
    const theirs = await Socket.join(other!, roomId)
    expect(await theirs.send('still-room')).toBeGreaterThan(0)
    for (const socket of [...sockets, theirs]) socket.ws.terminate()
  }, 30_000)

  it('keeps one account from taking the session server\'s rooms by joining rooms it never opens', async () => {
    const [grabber, other] = await Promise.all([signedInApi(backendUrl, uniqueName('grab')), signedInApi(backendUrl, uniqueName('late'))])
    const statuses: number[] = []
    for (let i = 0; i < 10; i++) {
      const { roomId } = await grabber!.api.createRoom(`Grab ${i}`)
      statuses.push(await grabber!.api.joinRoom(roomId).then(() => 200, (error: ApiError) => error.status))
    }
    const { roomId } = await other!.api.createRoom('Needs a slot')
    const placed = await other!.api.joinRoom(roomId)
    console.info(`[abuse] capacity grab: 10 rooms joined and never opened → ${JSON.stringify(statuses)}; another account's new room placed on ${placed.host}`)
    expect(statuses.filter((s) => s === 200)).toHaveLength(MAX_PENDING_PLACEMENTS_PER_USER)
    expect(statuses.filter((s) => s === 429)).toHaveLength(10 - MAX_PENDING_PLACEMENTS_PER_USER)
    expect(placed.host).toBe(session.host)
  }, 30_000)

  it('refuses big unauthenticated bodies on /internal before reading them, and keeps answering others', async () => {
    const before = await rssMb(backend.pid)
    const body = Buffer.alloc(8 * 1024 * 1024, 'x')
    const started = performance.now()
    const outcomes = await Promise.all(
      Array.from(
        { length: 24 },
        () =>
          new Promise<string>((resolve) => {
            const req = httpRequest(`${backendUrl}/internal/rooms/abcdefghijkl/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
              res.resume()
              resolve(`HTTP ${res.statusCode}`)
            })
            // The server answers and closes while the body is still on its way: the upload breaks off.
            req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'))
            req.end(body)
          }),
      ),
    )
    const refusedMs = performance.now() - started
    const meStarted = performance.now()
    const me = await fetch(`${backendUrl}/healthz`)
    const after = await rssMb(backend.pid)
    const counts = outcomes.reduce<Record<string, number>>((all, o) => ({ ...all, [o]: (all[o] ?? 0) + 1 }), {})
    console.info(
      `[abuse] 24 × 8 MB unauthenticated to /internal: ${JSON.stringify(counts)} in ${refusedMs.toFixed(0)} ms; ` +
        `backend RSS ${before.toFixed(0)} → ${after.toFixed(0)} MB; a request right after answered in ${(performance.now() - meStarted).toFixed(1)} ms`,
    )
    expect(me.status).toBe(200)
    for (const outcome of Object.keys(counts)) expect(['HTTP 401', 'EPIPE', 'ECONNRESET']).toContain(outcome)
    expect(counts['HTTP 401']).toBeGreaterThan(0)
    // 24 bodies read into memory would be ~200 MB more, plus their parsing.
    expect(after - before).toBeLessThan(64)
  }, 30_000)

  it('gives whoever holds a session server\'s credentials no way to forge a login or a room token', async () => {
    const owner = await signedInApi(backendUrl, uniqueName('forged'))
    const { roomId } = await owner.api.createRoom('Forgery')
    const real = await owner.api.joinRoom(roomId)
    // What a session server holds: the service token, and through it the public key.
    const keyResponse = await fetch(`${backendUrl}/internal/room-token-key`, { headers: { authorization: `Bearer ${TEST_SERVICE_TOKEN}` } })
    const { publicKey, keyId } = RoomTokenKeyResponse.parse(await keyResponse.json())
    const claims = { sub: owner.userId, username: owner.username, roomId, host: real.host, epoch: 1 }
    const asPublicKeySecret = createSecretKey(Buffer.from(publicKey))
    const forgedLogins = {
      'HS256 keyed with the public key': jwt.sign({ sub: owner.userId, username: owner.username }, asPublicKeySecret, { algorithm: 'HS256', audience: 'scalable-chat:user', expiresIn: 60 }),
      'HS256 keyed with the service token': jwt.sign({ sub: owner.userId, username: owner.username }, createSecretKey(Buffer.from(TEST_SERVICE_TOKEN)), { algorithm: 'HS256', audience: 'scalable-chat:user', expiresIn: 60 }),
      'alg none': jwt.sign({ sub: owner.userId, username: owner.username, aud: 'scalable-chat:user' }, null, { algorithm: 'none' }),
    }
    const forger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
    const forgedRoomTokens = {
      'HS256 keyed with the public key': jwt.sign(claims, asPublicKeySecret, { algorithm: 'HS256', audience: 'scalable-chat:room', expiresIn: 60, keyid: keyId }),
      'alg none': jwt.sign({ ...claims, aud: 'scalable-chat:room' }, null, { algorithm: 'none' }),
      'ES256 with another key under the real kid': jwt.sign(claims, createPrivateKey(forger.export({ type: 'pkcs8', format: 'pem' })), { algorithm: 'ES256', audience: 'scalable-chat:room', expiresIn: 60, keyid: keyId }),
    }
    const loginStatuses = Object.fromEntries(
      await Promise.all(Object.entries(forgedLogins).map(async ([how, token]) => [how, (await fetch(`${backendUrl}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status] as const)),
    )
    const roomStatuses = Object.fromEntries(
      await Promise.all(
        Object.entries(forgedRoomTokens).map(
          async ([how, token]) =>
            [how, await new Promise<number>((resolve) => {
              const ws = new WebSocket(handshakeUrl({ host: real.host, token, secure: false }))
              ws.on('error', () => {})
              ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
              ws.once('open', () => resolve(101))
            })] as const,
        ),
      ),
    )
    console.info(`[abuse] forgery with a session server's key: logins ${JSON.stringify(loginStatuses)}; room tokens ${JSON.stringify(roomStatuses)}`)
    expect(Object.values(loginStatuses)).toEqual([401, 401, 401])
    expect(Object.values(roomStatuses)).toEqual([401, 401, 401])
    // The real token still opens the room.
    const socket = new Socket(handshakeUrl({ host: real.host, token: real.token, secure: false }))
    await socket.until((f) => f.type === 'snapshot')
    socket.ws.terminate()
  }, 30_000)

  it('gives a stranger\'s wrong passwords no way to lock the owner out', async () => {
    const owner = await signedInApi(backendUrl, uniqueName('owner'))
    const login = (password: string, address: string) =>
      fetch(`${backendUrl}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
        body: JSON.stringify({ username: owner.username, password }),
      }).then((r) => r.status)
    const stranger: number[] = []
    for (let i = 0; i < 20; i++) stranger.push(await login(`guess-${i}-password`, '203.0.113.9'))
    const ownerStatus = await login(PASSWORD, '198.51.100.7')
    const counts = stranger.reduce<Record<number, number>>((all, s) => ({ ...all, [s]: (all[s] ?? 0) + 1 }), {})
    console.info(`[abuse] lockout attempt: 20 wrong passwords from a stranger's address → ${JSON.stringify(counts)}; the owner, elsewhere → ${ownerStatus}`)
    expect(counts[429]).toBeGreaterThan(0)
    expect(ownerStatus).toBe(200)
  }, 60_000)
})
