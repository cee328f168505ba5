/**
 * ChatConnection against the REAL servers: a backend (PGlite in memory) and a session server,
 * both on 127.0.0.1 port 0, and real WebSockets (`ws`, since Node 20 has no global WebSocket).
 */
import type { ServerMessage } from '@scalable-chat/protocol'
import { startTestStack, type TestStack } from '@scalable-chat/session-server/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createApiClient, type ApiClient } from '../src/api/createApiClient.js'
import { backoffDelay } from '../src/room/backoffDelay.js'
import { ChatConnection, type ChatState, type SocketConstructor, type SocketLike } from '../src/room/ChatConnection.js'
import { wsSocket } from './helpers/wsSocket.js'

let stack: TestStack

beforeAll(async () => {
  stack = await startTestStack({
    // Every test opens its own room and rooms stay loaded for a grace period: more than the default 10.
    backend: { overrides: { maxRoomsPerServer: 1000 } },
    // The history test writes 105 messages in one go.
    sessionEnv: { MESSAGE_RATE_PER_MINUTE: '10000', MESSAGE_BURST: '1000' },
  })
})

afterAll(() => stack?.close())

const open: ChatConnection[] = []
afterEach(() => {
  for (const connection of open.splice(0)) connection.dispose()
})

let userCounter = 0
async function signedInApi(): Promise<{ api: ApiClient; userId: string }> {
  let token: string | null = null
  const api = createApiClient({ baseUrl: stack.backend.url, getToken: () => token })
  const auth = await api.register({ username: `user${++userCounter}_${Date.now() % 100000}`, password: 'correct horse' })
  token = auth.token
  return { api, userId: auth.user.id }
}

/** Records the URL of every socket and every frame received; `drop` keeps a frame from the connection. */
function recordingSocket(log: { urls: string[]; frames: ServerMessage[] }, drop?: (frame: ServerMessage) => boolean) {
  return wsSocket({
    onOpen: (url) => log.urls.push(url),
    frame: (text) => {
      const frame = JSON.parse(text) as ServerMessage
      log.frames.push(frame)
      return drop?.(frame) ? null : text
    },
  })
}

/**
 * A session server that cannot be reached for the first `count` attempts: the browser reports
 * that as a close with 1006 and no frame, which is what this stand-in does; later attempts are real.
 */
function unreachableFirst(count: number, log: { urls: string[]; frames: ServerMessage[] }): SocketConstructor {
  const Real = recordingSocket(log)
  let refused = 0
  return class {
    constructor(url: string) {
      if (refused >= count) return new Real(url)
      refused++
      const unreachable: SocketLike = { readyState: 3, send() {}, close() {}, onmessage: null, onclose: null, onerror: null }
      setTimeout(() => unreachable.onclose?.({ code: 1006, reason: '' }))
      // A constructor may return another object: `new` then yields it instead of `this`.
      return unreachable
    }
  } as unknown as SocketConstructor
}

function connect(options: { api: ApiClient; roomId: string; socket?: SocketConstructor }): ChatConnection {
  const connection = new ChatConnection({
    roomId: options.roomId,
    api: options.api,
    WebSocket: options.socket ?? (WebSocket as unknown as SocketConstructor),
    secure: false,
    // The shortest backoff (random 0 → 250 ms first retry) keeps the suite fast.
    random: () => 0,
  })
  open.push(connection)
  connection.start()
  return connection
}

function waitFor(connection: ChatConnection, predicate: (state: ChatState) => boolean): Promise<ChatState> {
  return new Promise((resolve) => {
    const check = () => {
      const state = connection.getState()
      if (!predicate(state)) return false
      unsubscribe()
      resolve(state)
      return true
    }
    const unsubscribe = connection.subscribe(check)
    check()
  })
}

const isLive = (state: ChatState) => state.status.kind === 'live'
const seqs = (state: ChatState) => state.messages.map((m) => m.seq)

function cutFromServerSide(): void {
  stack.dropConnections()
}

describe('ChatConnection (real backend and session server)', () => {
  it('connects through the backend and receives the snapshot', async () => {
    const { api, userId } = await signedInApi()
    const { roomId } = await api.createRoom('Snapshot room')
    const connection = connect({ api, roomId })

    const state = await waitFor(connection, isLive)
    expect(state.room).toMatchObject({ id: roomId, name: 'Snapshot room', ownerId: userId })
    expect(state.you?.userId).toBe(userId)
    expect(state.members.map((m) => m.userId)).toContain(userId)
    expect(state.messages).toEqual([])
    expect(state.maxMessageLength).toBeGreaterThan(0)
  })

  it('shows a sent message as pending at once, then replaces it with the stored one on the ack', async () => {
    const { api, userId } = await signedInApi()
    const { roomId } = await api.createRoom('Send room')
    const connection = connect({ api, roomId })
    await waitFor(connection, isLive)

    const clientId = connection.send('  hello world  ')
    expect(connection.getState().pending).toEqual([expect.objectContaining({ clientId, text: 'hello world', state: 'sending' })])

    const state = await waitFor(connection, (s) => s.messages.length === 1 && s.pending.length === 0)
    expect(state.messages[0]).toMatchObject({ seq: 1, clientId, userId, text: 'hello world' })
  })

  it('delivers messages to the other members, and announces them as incoming', async () => {
    const ana = await signedInApi()
    const bo = await signedInApi()
    const { roomId } = await ana.api.createRoom('Two people')
    const anaConnection = connect({ api: ana.api, roomId })
    const boConnection = connect({ api: bo.api, roomId })
    await waitFor(anaConnection, isLive)
    await waitFor(boConnection, isLive)

    boConnection.send('hi Ana')
    const state = await waitFor(anaConnection, (s) => s.messages.length === 1)
    expect(state.lastIncoming).toMatchObject({ text: 'hi Ana', userId: bo.userId })
  })

  it('reconnects after the server drops the socket and resumes with since: no duplicates, no gaps', async () => {
    const ana = await signedInApi()
    const bo = await signedInApi()
    const { roomId } = await ana.api.createRoom('Resume room')
    const log = { urls: [] as string[], frames: [] as ServerMessage[] }
    const anaConnection = connect({ api: ana.api, roomId, socket: recordingSocket(log) })
    await waitFor(anaConnection, isLive)
    anaConnection.send('one')
    anaConnection.send('two')
    await waitFor(anaConnection, (s) => s.messages.length === 2)

    cutFromServerSide()
    await waitFor(anaConnection, (s) => s.status.kind !== 'live')

    // Bo talks while Ana is away.
    const boConnection = connect({ api: bo.api, roomId })
    await waitFor(boConnection, isLive)
    boConnection.send('three')
    boConnection.send('four')
    await waitFor(boConnection, (s) => s.messages.length === 4 && s.pending.length === 0)

    const state = await waitFor(anaConnection, (s) => isLive(s) && s.messages.length === 4)
    expect(seqs(state)).toEqual([1, 2, 3, 4])
    expect(state.messages.map((m) => m.text)).toEqual(['one', 'two', 'three', 'four'])
    expect(log.urls).toHaveLength(2)
    expect(new URL(log.urls[1]!).searchParams.get('since')).toBe('2')
    const snapshots = log.frames.filter((f) => f.type === 'snapshot')
    expect(snapshots.map((s) => s.resumed)).toEqual([false, true])
  })

  it('after an abnormal close, re-joins at once, naming the host as failedHost', async () => {
    const { api } = await signedInApi()
    const { roomId } = await api.createRoom('Crash report')
    const joins: (string | undefined)[] = []
    const recordingApi = {
      ...api,
      joinRoom: (id: string, failedHost?: string) => {
        joins.push(failedHost)
        return api.joinRoom(id, failedHost)
      },
    }
    const connection = connect({ api: recordingApi, roomId })
    await waitFor(connection, isLive)
    const { host } = await api.joinRoom(roomId)

    cutFromServerSide()
    // At once: no backoff wait ('reconnecting') between the drop and the next attempt.
    const statuses: string[] = []
    connection.subscribe(() => statuses.push(connection.getState().status.kind))
    await waitFor(connection, (s) => s.status.kind !== 'live')
    await waitFor(connection, isLive)
    expect(statuses).not.toContain('reconnecting')
    // The host was up (the drop was the network's), so the backend kept the room there.
    expect(joins).toEqual([undefined, host])
  })

  it('names the host as failedHost when it answered only with an error before closing (a closed room)', async () => {
    const { api } = await signedInApi()
    const { roomId } = await api.createRoom('Closed on arrival')
    const joins: (string | undefined)[] = []
    const recordingApi = {
      ...api,
      joinRoom: (id: string, failedHost?: string) => {
        joins.push(failedHost)
        return api.joinRoom(id, failedHost)
      },
    }
    const log = { urls: [] as string[], frames: [] as ServerMessage[] }
    const Real = recordingSocket(log)
    let refused = false
    // What `Room.join` on a closed room does: an `error` frame, then ROOM_MOVED.
    const closedRoomFirst = class {
      constructor(url: string) {
        if (refused) return new Real(url)
        refused = true
        const socket: SocketLike = { readyState: 1, send() {}, close() {}, onmessage: null, onclose: null, onerror: null }
        setTimeout(() => {
          socket.onmessage?.({ data: JSON.stringify({ type: 'error', code: 'unavailable', message: 'room is closed' }) })
          socket.onclose?.({ code: 4009, reason: 'room moved' })
        })
        return socket
      }
    } as unknown as SocketConstructor
    const connection = connect({ api: recordingApi, roomId, socket: closedRoomFirst })
    await waitFor(connection, isLive)
    const { host } = await api.joinRoom(roomId)
    expect(joins).toEqual([undefined, host])
  })

  it('keeps a message typed while disconnected and sends it after the reconnect', async () => {
    const { api } = await signedInApi()
    const { roomId } = await api.createRoom('Offline send')
    const connection = connect({ api, roomId })
    await waitFor(connection, isLive)

    cutFromServerSide()
    await waitFor(connection, (s) => s.status.kind !== 'live')
    const clientId = connection.send('written while away')
    expect(connection.getState().pending).toHaveLength(1)

    const state = await waitFor(connection, (s) => isLive(s) && s.pending.length === 0 && s.messages.length === 1)
    expect(state.messages[0]).toMatchObject({ clientId, text: 'written while away' })
  })

  it('stores a re-sent message once when its acknowledgement was lost', async () => {
    const { api, userId } = await signedInApi()
    const { roomId } = await api.createRoom('Lost ack')
    const log = { urls: [] as string[], frames: [] as ServerMessage[] }
    let dropAcks = true
    const dropOwnAcks = (frame: ServerMessage) => dropAcks && frame.type === 'message' && frame.message.userId === userId
    const connection = connect({ api, roomId, socket: recordingSocket(log, dropOwnAcks) })
    await waitFor(connection, isLive)

    const clientId = connection.send('exactly once')!
    // The server stored and broadcast it, but this client never saw the ack.
    await new Promise<void>((resolve) => {
      const poll = () => (log.frames.some((f) => f.type === 'message') ? resolve() : setImmediate(poll))
      poll()
    })
    expect(connection.getState().pending).toHaveLength(1)

    dropAcks = false
    cutFromServerSide()
    const state = await waitFor(connection, (s) => isLive(s) && s.pending.length === 0 && s.messages.length >= 1)
    expect(state.messages.filter((m) => m.clientId === clientId)).toHaveLength(1)

    // And the server holds it once too.
    const history = await api.history(roomId, undefined, 50)
    expect(history.messages.filter((m) => m.clientId === clientId)).toHaveLength(1)
  })

  it('re-sends an unacknowledged message with its original clientId, and the server stores it once', async () => {
    const { api } = await signedInApi()
    const { roomId } = await api.createRoom('Resend after snapshot')
    const log = { urls: [] as string[], frames: [] as ServerMessage[] }
    let dropEverything = false
    const connection = connect({ api, roomId, socket: recordingSocket(log, () => dropEverything) })
    await waitFor(connection, isLive)
    connection.send('first')
    await waitFor(connection, (s) => s.messages.length === 1)

    // Ack lost AND the resumed snapshot must not be what settles it: cut before the server answers.
    dropEverything = true
    const clientId = connection.send('second')!
    await new Promise<void>((resolve) => {
      const poll = () => (log.frames.some((f) => f.type === 'message' && f.message.clientId === clientId) ? resolve() : setImmediate(poll))
      poll()
    })
    dropEverything = false
    cutFromServerSide()

    const state = await waitFor(connection, (s) => isLive(s) && s.pending.length === 0 && s.messages.length === 2)
    expect(seqs(state)).toEqual([1, 2])
    const history = await api.history(roomId, undefined, 50)
    expect(history.messages.map((m) => m.clientId)).toEqual([expect.any(String), clientId])
  })

  it('backs off longer after each failed attempt, joins afresh every time, and retryNow skips the wait', async () => {
    const { api } = await signedInApi()
    const { roomId } = await api.createRoom('Backoff room')
    let joins = 0
    const countingApi: ApiClient = {
      ...api,
      joinRoom: (...args) => {
        joins++
        return api.joinRoom(...args)
      },
    }
    const connection = connect({ api: countingApi, roomId, socket: unreachableFirst(4, { urls: [], frames: [] }) })
    const waits: Array<{ attempt: number; delay: number; retryAt: number }> = []
    connection.subscribe(() => {
      const { status } = connection.getState()
      if (status.kind === 'reconnecting' && waits.at(-1)?.attempt !== status.attempt) {
        waits.push({ attempt: status.attempt, delay: status.retryAt - Date.now(), retryAt: status.retryAt })
      }
    })

    await waitFor(connection, (s) => s.status.kind === 'reconnecting' && s.status.attempt === 4)
    expect(waits.map((w) => w.attempt)).toEqual([1, 2, 3, 4])
    // random() = 0: the lower edge of each jitter window, which doubles every attempt.
    waits.forEach((wait) => {
      const planned = backoffDelay(wait.attempt, { random: () => 0 })
      expect(wait.delay).toBeLessThanOrEqual(planned)
      expect(wait.delay).toBeGreaterThan(planned / 2)
    })

    connection.retryNow()
    await waitFor(connection, isLive)
    expect(Date.now()).toBeLessThan(waits[3]!.retryAt)
    // The first try, three retries on the timer, and the one retryNow started: each a fresh join.
    expect(joins).toBe(5)
  })

  it('loads older history before the first message held, and knows where the conversation begins', async () => {
    const { api } = await signedInApi()
    const { roomId } = await api.createRoom('Long history')
    const writer = connect({ api, roomId })
    await waitFor(writer, isLive)
    for (let i = 1; i <= 105; i++) writer.send(`message ${i}`)
    await waitFor(writer, (s) => s.messages.length === 105)
    writer.dispose()

    const reader = connect({ api, roomId })
    const first = await waitFor(reader, isLive)
    expect(first.messages.length).toBeLessThan(105)
    expect(first.history.hasMore).toBe(true)

    while (reader.getState().history.hasMore) await reader.loadOlder()
    const state = reader.getState()
    expect(seqs(state)).toEqual(Array.from({ length: 105 }, (_, i) => i + 1))
  }, 30_000) // 105 real commits: generous on a loaded 2-core machine

  it('closes for good, without reconnecting, when the room is deleted', async () => {
    const { api } = await signedInApi()
    const { roomId } = await api.createRoom('Doomed')
    const connection = connect({ api, roomId })
    await waitFor(connection, isLive)

    await api.deleteRoom(roomId)
    const state = await waitFor(connection, (s) => s.status.kind === 'closed')
    expect(state.status).toEqual({ kind: 'closed', reason: 'deleted' })
  })

  it('closes with "not found" for a room that does not exist', async () => {
    const { api } = await signedInApi()
    const connection = connect({ api, roomId: 'NoSuchRoom12' })
    const state = await waitFor(connection, (s) => s.status.kind === 'closed')
    expect(state.status).toEqual({ kind: 'closed', reason: 'not_found' })
  })
})
