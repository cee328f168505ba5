/**
 * ChatConnection's reconnects against the REAL servers, with the session server's default limits:
 * resume with `since`, `failedHost`, backoff, and re-sends that store each message once, a
 * backlog longer than the announced burst included. (The policy alone, with no network:
 * SessionLink.test.ts.)
 */
import type { ServerMessage } from '@scalable-chat/protocol'
import { startTestStack, type TestStack } from '@scalable-chat/session-server/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import type { ApiClient } from '../src/api/createApiClient.js'
import { backoffDelay } from '../src/room/connection/backoffDelay.js'
import type { ChatState, SocketConstructor, SocketLike } from '../src/room/connection/ChatConnection.js'
import { disposeConnections, isLive, openConnection, signedInApi, waitForState } from './helpers/connections.js'
import { wsSocket } from './helpers/wsSocket.js'

let stack: TestStack

beforeAll(async () => {
  stack = await startTestStack({ backend: { overrides: { maxRoomsPerServer: 1000 } } })
})

afterAll(() => stack?.close())
afterEach(disposeConnections)

const seqs = (state: ChatState) => state.messages.map((m) => m.seq)

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

/** The API, recording the `failedHost` of every join. */
function recordingJoins(api: ApiClient) {
  const joins: (string | undefined)[] = []
  const recordingApi: ApiClient = {
    ...api,
    joinRoom: (id, failedHost) => {
      joins.push(failedHost)
      return api.joinRoom(id, failedHost)
    },
  }
  return { joins, recordingApi }
}

describe('ChatConnection reconnects (real backend and session server)', () => {
  it('reconnects after the server drops the socket and resumes with since: no duplicates, no gaps', async () => {
    const ana = await signedInApi(stack.backend.url)
    const bo = await signedInApi(stack.backend.url)
    const { roomId } = await ana.api.createRoom('Resume room')
    const log = { urls: [] as string[], frames: [] as ServerMessage[] }
    const anaConnection = openConnection(ana.api, roomId, recordingSocket(log))
    await waitForState(anaConnection, isLive)
    anaConnection.send('one')
    anaConnection.send('two')
    await waitForState(anaConnection, (s) => s.messages.length === 2)

    stack.dropConnections()
    await waitForState(anaConnection, (s) => s.status.kind !== 'live')

    // Bo talks while Ana is away.
    const boConnection = openConnection(bo.api, roomId)
    await waitForState(boConnection, isLive)
    boConnection.send('three')
    boConnection.send('four')
    await waitForState(boConnection, (s) => s.messages.length === 4 && s.pending.length === 0)

    const state = await waitForState(anaConnection, (s) => isLive(s) && s.messages.length === 4)
    expect(seqs(state)).toEqual([1, 2, 3, 4])
    expect(state.messages.map((m) => m.text)).toEqual(['one', 'two', 'three', 'four'])
    expect(log.urls).toHaveLength(2)
    expect(new URL(log.urls[1]!).searchParams.get('since')).toBe('2')
    const snapshots = log.frames.filter((f) => f.type === 'snapshot')
    expect(snapshots.map((s) => s.resumed)).toEqual([false, true])
  })

  it('after an abnormal close, re-joins at once, naming the host as failedHost', async () => {
    const { api } = await signedInApi(stack.backend.url)
    const { roomId } = await api.createRoom('Crash report')
    const { joins, recordingApi } = recordingJoins(api)
    const connection = openConnection(recordingApi, roomId)
    await waitForState(connection, isLive)
    const { host } = await api.joinRoom(roomId)

    stack.dropConnections()
    // At once: no backoff wait ('reconnecting') between the drop and the next attempt.
    const statuses: string[] = []
    connection.subscribe(() => statuses.push(connection.getState().status.kind))
    await waitForState(connection, (s) => s.status.kind !== 'live')
    await waitForState(connection, isLive)
    expect(statuses).not.toContain('reconnecting')
    // The host was up (the drop was the network's), so the backend kept the room there.
    expect(joins).toEqual([undefined, host])
  })

  it('names the host as failedHost when it answered only with an error before closing (a closed room)', async () => {
    const { api } = await signedInApi(stack.backend.url)
    const { roomId } = await api.createRoom('Closed on arrival')
    const { joins, recordingApi } = recordingJoins(api)
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
    const connection = openConnection(recordingApi, roomId, closedRoomFirst)
    await waitForState(connection, isLive)
    const { host } = await api.joinRoom(roomId)
    expect(joins).toEqual([undefined, host])
  })

  it('keeps a message typed while disconnected and sends it after the reconnect', async () => {
    const { api } = await signedInApi(stack.backend.url)
    const { roomId } = await api.createRoom('Offline send')
    const connection = openConnection(api, roomId)
    await waitForState(connection, isLive)

    stack.dropConnections()
    await waitForState(connection, (s) => s.status.kind !== 'live')
    const clientId = connection.send('written while away')
    expect(connection.getState().pending).toHaveLength(1)

    const state = await waitForState(connection, (s) => isLive(s) && s.pending.length === 0 && s.messages.length === 1)
    expect(state.messages[0]).toMatchObject({ clientId, text: 'written while away' })
  })

  it('stores a re-sent message once when its acknowledgement was lost', async () => {
    const { api, userId } = await signedInApi(stack.backend.url)
    const { roomId } = await api.createRoom('Lost ack')
    const log = { urls: [] as string[], frames: [] as ServerMessage[] }
    let dropAcks = true
    const dropOwnAcks = (frame: ServerMessage) => dropAcks && frame.type === 'message' && frame.message.userId === userId
    const connection = openConnection(api, roomId, recordingSocket(log, dropOwnAcks))
    await waitForState(connection, isLive)

    const clientId = connection.send('exactly once')!
    // The server stored and broadcast it, but this client never saw the ack.
    await new Promise<void>((resolve) => {
      const poll = () => (log.frames.some((f) => f.type === 'message') ? resolve() : setImmediate(poll))
      poll()
    })
    expect(connection.getState().pending).toHaveLength(1)

    dropAcks = false
    stack.dropConnections()
    const state = await waitForState(connection, (s) => isLive(s) && s.pending.length === 0 && s.messages.length >= 1)
    expect(state.messages.filter((m) => m.clientId === clientId)).toHaveLength(1)

    // And the server holds it once too.
    const history = await api.history(roomId)
    expect(history.messages.filter((m) => m.clientId === clientId)).toHaveLength(1)
  })

  it('re-sends an unacknowledged message with its original clientId, and the server stores it once', async () => {
    const { api } = await signedInApi(stack.backend.url)
    const { roomId } = await api.createRoom('Resend after snapshot')
    const log = { urls: [] as string[], frames: [] as ServerMessage[] }
    let dropEverything = false
    const connection = openConnection(api, roomId, recordingSocket(log, () => dropEverything))
    await waitForState(connection, isLive)
    connection.send('first')
    await waitForState(connection, (s) => s.messages.length === 1)

    // Ack lost AND the resumed snapshot must not be what settles it: cut before the server answers.
    dropEverything = true
    const clientId = connection.send('second')!
    await new Promise<void>((resolve) => {
      const poll = () => (log.frames.some((f) => f.type === 'message' && f.message.clientId === clientId) ? resolve() : setImmediate(poll))
      poll()
    })
    dropEverything = false
    stack.dropConnections()

    const state = await waitForState(connection, (s) => isLive(s) && s.pending.length === 0 && s.messages.length === 2)
    expect(seqs(state)).toEqual([1, 2])
    const history = await api.history(roomId)
    expect(history.messages.map((m) => m.clientId)).toEqual([expect.any(String), clientId])
  })

  it('backs off longer after each failed attempt, joins afresh every time, and retryNow skips the wait', async () => {
    const { api } = await signedInApi(stack.backend.url)
    const { roomId } = await api.createRoom('Backoff room')
    let joins = 0
    const countingApi: ApiClient = {
      ...api,
      joinRoom: (...args) => {
        joins++
        return api.joinRoom(...args)
      },
    }
    const connection = openConnection(countingApi, roomId, unreachableFirst(4, { urls: [], frames: [] }))
    const waits: Array<{ attempt: number; delay: number; retryAt: number }> = []
    connection.subscribe(() => {
      const { status } = connection.getState()
      if (status.kind === 'reconnecting' && waits.at(-1)?.attempt !== status.attempt) {
        waits.push({ attempt: status.attempt, delay: status.retryAt - Date.now(), retryAt: status.retryAt })
      }
    })

    await waitForState(connection, (s) => s.status.kind === 'reconnecting' && s.status.attempt === 4)
    expect(waits.map((w) => w.attempt)).toEqual([1, 2, 3, 4])
    // random() = 0: the lower edge of each jitter window, which doubles every attempt.
    waits.forEach((wait) => {
      const planned = backoffDelay(wait.attempt, { random: () => 0 })
      expect(wait.delay).toBeLessThanOrEqual(planned)
      expect(wait.delay).toBeGreaterThan(planned / 2)
    })

    connection.retryNow()
    await waitForState(connection, isLive)
    expect(Date.now()).toBeLessThan(waits[3]!.retryAt)
    // The first try, three retries on the timer, and the one retryNow started: each a fresh join.
    expect(joins).toBe(5)
  })

  it('re-sends a backlog longer than the announced burst after the reconnect, stores each once, and the connection stays open', async () => {
    const { api } = await signedInApi(stack.backend.url)
    const { roomId } = await api.createRoom('Backlog')
    const closeCodes: number[] = []
    const RecordingWebSocket = class extends WebSocket {
      constructor(url: string) {
        super(url)
        this.on('close', (code) => closeCodes.push(code))
      }
    }
    const connection = openConnection(api, roomId, RecordingWebSocket as unknown as SocketConstructor)
    const { limits } = await waitForState(connection, isLive)
    stack.dropConnections()
    await waitForState(connection, (s) => !isLive(s))

    // More than the strike limit (10) beyond the burst: before pacing, this got the client closed (1008).
    const count = limits.messageBurst + 10
    const texts = Array.from({ length: count }, (_, i) => `queued ${i}`)
    for (const text of texts) connection.send(text)

    const state = await waitForState(connection, (s) => s.messages.length === count && s.pending.length === 0)
    expect(state.status.kind).toBe('live')
    expect(state.messages.map((m) => m.text)).toEqual(texts)
    expect(state.notice).toBeNull()
    const history = await api.history(roomId)
    expect(history.messages.map((m) => m.text)).toEqual(texts)
    // Only the test's own cut: no close from the server (1008 or otherwise).
    expect(closeCodes).toEqual([1006])
  }, 30_000)
})
