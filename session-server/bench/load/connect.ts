/**
 * Opening load-generator connections to either target, and recognising frames cheaply: the load
 * generator reads a million frames per run, so it looks at bytes instead of parsing JSON, to stay
 * out of the way of the server it measures.
 */
import { WebSocket } from 'ws'
import type { Target } from '../tasks.js'

const MESSAGE_PREFIX = Buffer.from('{"type":"message"')
const ERROR_PREFIX = Buffer.from('{"type":"error"')
const SNAPSHOT_PREFIX = Buffer.from('{"type":"snapshot"')
const CLIENT_ID_KEY = Buffer.from('"clientId":"')
const QUOTE = 0x22

export function startsWith(data: Buffer, prefix: Buffer): boolean {
  return data.length >= prefix.length && data.compare(prefix, 0, prefix.length, 0, prefix.length) === 0
}

export const isMessageFrame = (data: Buffer) => startsWith(data, MESSAGE_PREFIX)
export const isErrorFrame = (data: Buffer) => startsWith(data, ERROR_PREFIX)

/** The `clientId` of a `message` frame (made of [A-Za-z0-9_-], so it never holds an escaped quote). */
export function clientIdOf(data: Buffer): string | undefined {
  const key = data.indexOf(CLIENT_ID_KEY)
  if (key < 0) return undefined
  const start = key + CLIENT_ID_KEY.length
  const end = data.indexOf(QUOTE, start)
  return end < 0 ? undefined : data.toString('latin1', start, end)
}

/** The WebSocket URL of member `member` of room `room` (for the project: a real join through the backend). */
export async function memberUrl(target: Target, room: number, member: number): Promise<string> {
  const roomId = target.roomIds[room]
  if (roomId === undefined) throw new RangeError(`no room ${room}`)
  if (target.kind === 'baseline') return `${target.url}/?room=${encodeURIComponent(roomId)}`
  const userToken = target.userTokens[member]
  if (userToken === undefined) throw new RangeError(`no user for member ${member}`)
  const response = await fetch(`${target.backendUrl}/api/rooms/${roomId}`, { headers: { authorization: `Bearer ${userToken}` } })
  if (!response.ok) throw new Error(`join ${roomId}: HTTP ${response.status} ${await response.text()}`)
  const { host, token } = (await response.json()) as { host: string; token: string }
  return `ws://${host}/?token=${encodeURIComponent(token)}&v=1`
}

/**
 * Opens a socket and resolves once its first frame, the snapshot, has arrived. `localAddress`: the
 * source address (127.0.0.x), to spread many sockets over more than one address's ephemeral ports.
 */
export function openMember(url: string, timeoutMs: number, localAddress?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    // The load generator trusts the servers it measures: skipping UTF-8 validation keeps it cheap.
    const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true, ...(localAddress === undefined ? {} : { localAddress }) })
    const timer = setTimeout(() => fail(new Error(`no snapshot within ${timeoutMs} ms`)), timeoutMs)
    const fail = (error: Error) => {
      clearTimeout(timer)
      ws.terminate()
      reject(error)
    }
    ws.once('error', fail)
    ws.once('close', (code) => fail(new Error(`closed with ${code} before the snapshot`)))
    ws.once('message', (data: Buffer) => {
      clearTimeout(timer)
      ws.removeAllListeners()
      if (!startsWith(data, SNAPSHOT_PREFIX)) return fail(new Error(`first frame is not a snapshot: ${data.toString().slice(0, 120)}`))
      ws.on('error', () => {})
      resolve(ws)
    })
  })
}

/** Runs `work(i)` for i in [0, count), at most `concurrency` at a time. */
export async function pool(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0
  const lanes = Array.from({ length: Math.min(count, concurrency) }, async () => {
    while (next < count) await work(next++)
  })
  await Promise.all(lanes)
}

/** Closes every socket and resolves when all are closed. */
export function closeAll(sockets: Iterable<WebSocket>): Promise<void> {
  const closing: Promise<void>[] = []
  for (const ws of sockets) {
    if (ws.readyState === WebSocket.CLOSED) continue
    closing.push(new Promise((resolve) => ws.once('close', () => resolve())))
    ws.close()
  }
  return Promise.all(closing).then(() => undefined)
}
