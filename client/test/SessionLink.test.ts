/**
 * The link's reconnect policy with no network: a scripted backend join, sockets the test opens,
 * closes and feeds, and a switchable network. (ChatConnection.test.ts and reconnect.test.ts run
 * the same link against the real servers.)
 */
import type { JoinRoomResponse } from '@scalable-chat/backend-contract'
import type { ServerMessage } from '@scalable-chat/protocol'
import { CloseCode } from '@scalable-chat/protocol/codes'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '../src/api/ApiError.js'
import type { ConnectionStatus } from '../src/room/connection/connectionStatus.js'
import { SessionLink, type SocketLike } from '../src/room/connection/SessionLink.js'

class FakeSocket implements SocketLike {
  static opened: FakeSocket[] = []
  readyState = 1
  readonly sent: string[] = []
  closedWith: number | undefined
  onmessage: SocketLike['onmessage'] = null
  onclose: SocketLike['onclose'] = null
  onerror: SocketLike['onerror'] = null
  constructor(readonly url: string) {
    FakeSocket.opened.push(this)
  }
  send(data: string) {
    this.sent.push(data)
  }
  close(code?: number) {
    this.closedWith = code
  }
  /** The server sends a frame. */
  receive(frame: Partial<ServerMessage> & { type: ServerMessage['type'] }) {
    this.onmessage?.({ data: JSON.stringify(frame) })
  }
  /** The connection ends with this code (1006: no close frame). */
  end(code: number) {
    this.readyState = 3
    this.onclose?.({ code, reason: '' })
  }
}

function makeLink(options: { join?: (failedHost: string | undefined, rejoin: boolean) => JoinRoomResponse | Error } = {}) {
  FakeSocket.opened = []
  const joins: Array<string | undefined> = []
  const rejoins: boolean[] = []
  const statuses: ConnectionStatus[] = []
  const frames: string[] = []
  let online = true
  let onNetworkChange = () => {}
  const link = new SessionLink({
    roomId: 'room-1',
    api: {
      joinRoom: async (_roomId, failedHost, rejoin) => {
        joins.push(failedHost)
        rejoins.push(rejoin ?? false)
        const answer = options.join?.(failedHost, rejoin ?? false) ?? { roomId: 'room-1', name: 'Lobby', ownerId: 'u1', host: `h${joins.length}:8000`, token: 't', visibility: 'unlisted' as const, description: '' }
        if (answer instanceof Error) throw answer
        return answer
      },
    },
    WebSocket: FakeSocket,
    secure: false,
    network: {
      isOnline: () => online,
      subscribe: (listener) => {
        onNetworkChange = listener
        return () => {}
      },
    },
    random: () => 0,
    latestSeq: () => 7,
    listener: {
      status: (status) => statuses.push(status),
      joined: () => {},
      frame: (frame) => frames.push(frame.type),
    },
  })
  const setOnline = (value: boolean) => {
    online = value
    onNetworkChange()
  }
  /** The socket the link opened last, once it is open. */
  const socket = async (count = FakeSocket.opened.length + 1) => {
    await vi.waitFor(() => expect(FakeSocket.opened).toHaveLength(count))
    return FakeSocket.opened[count - 1]!
  }
  return { link, joins, rejoins, statuses, frames, socket, setOnline }
}

const lastKind = (statuses: ConnectionStatus[]) => statuses.at(-1)?.kind

afterEach(() => {
  vi.useRealTimers()
})

describe('SessionLink', () => {
  it('joins, opens the handshake URL with since, and is live once the snapshot arrives (which it delivers)', async () => {
    const { link, socket, frames } = makeLink()
    link.start()
    const first = await socket()
    expect(new URL(first.url).searchParams.get('since')).toBe('7')
    expect(link.send({ type: 'typing', typing: true })).toBe(false)
    first.receive({ type: 'error' })
    first.receive({ type: 'snapshot' })
    expect(frames).toEqual(['error', 'snapshot'])
    expect(link.send({ type: 'typing', typing: true })).toBe(true)
    expect(first.sent).toEqual([JSON.stringify({ type: 'typing', typing: true })])
  })

  it.each([
    ['a drain (1012)', CloseCode.SERVICE_RESTART, true],
    ['a crash (1006)', CloseCode.ABNORMAL, true],
    ['a moved room (4009)', CloseCode.ROOM_MOVED, false],
  ])('after %s of a live socket, joins again at once (naming the host as failedHost: %s)', async (_what, code, named) => {
    const { link, socket, joins, statuses } = makeLink()
    link.start()
    const first = await socket()
    first.receive({ type: 'snapshot' })
    first.end(code)
    await socket(2)
    expect(joins).toEqual([undefined, named ? 'h1:8000' : undefined])
    expect(statuses.map((s) => s.kind)).not.toContain('reconnecting')
  })

  it('joins again as a reconnect (rejoin) once it has been live, and ends as "left" when the user left the room meanwhile (410)', async () => {
    let left = false
    const { link, socket, rejoins, statuses } = makeLink({
      join: (_failedHost, rejoin) => (rejoin && left ? new ApiError(410, 'left_room', 'you left this room') : { roomId: 'room-1', name: 'Lobby', ownerId: 'u1', host: 'h:1', token: 't', visibility: 'unlisted', description: '' }),
    })
    link.start()
    const first = await socket()
    first.receive({ type: 'snapshot' })
    left = true
    first.end(CloseCode.ABNORMAL)
    await vi.waitFor(() => expect(lastKind(statuses)).toBe('closed'))
    expect(rejoins).toEqual([false, true])
    expect(statuses.at(-1)).toEqual({ kind: 'closed', reason: 'left' })
  })

  it('backs off after a socket that never served a snapshot, names its host, and does NOT spin on "at once" codes', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const { link, socket, joins, statuses } = makeLink()
    link.start()
    ;(await socket()).end(CloseCode.SERVICE_RESTART)
    expect(statuses.at(-1)).toMatchObject({ kind: 'reconnecting', attempt: 1 })
    await vi.advanceTimersByTimeAsync(250)
    ;(await socket(2)).end(CloseCode.ROOM_MOVED)
    expect(statuses.at(-1)).toMatchObject({ kind: 'reconnecting', attempt: 2 })
    expect(joins).toEqual([undefined, 'h1:8000'])
  })

  it.each([
    [CloseCode.ROOM_DELETED, 'deleted'],
    [CloseCode.ROOM_FULL, 'room_full'],
    [CloseCode.TOO_MANY_CONNECTIONS, 'too_many_connections'],
    [CloseCode.PROTOCOL_MISMATCH, 'protocol_mismatch'],
    [CloseCode.POLICY_VIOLATION, 'policy_violation'],
  ])('closes for good after %i (%s), and opens nothing more', async (code, reason) => {
    const { link, socket, statuses } = makeLink()
    link.start()
    const first = await socket()
    first.receive({ type: 'snapshot' })
    first.end(code)
    expect(statuses.at(-1)).toEqual({ kind: 'closed', reason })
    link.retryNow()
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(FakeSocket.opened).toHaveLength(1)
  })

  it.each([
    [404, 'not_found'],
    [403, 'forbidden'],
    [401, 'signed_out'],
  ])('closes for good when the backend answers the join with %i', async (status, reason) => {
    const { link, statuses } = makeLink({ join: () => new ApiError(status, 'x', 'refused') })
    link.start()
    await vi.waitFor(() => expect(statuses.at(-1)).toEqual({ kind: 'closed', reason }))
  })

  it('retries a join that failed for another reason (a 503) after a backoff, and retryNow skips the wait', async () => {
    let failures = 1
    const { link, statuses, socket } = makeLink({ join: () => (failures-- > 0 ? new ApiError(503, 'no_servers', 'busy') : { roomId: 'room-1', name: 'Lobby', ownerId: 'u1', host: 'h:1', token: 't', visibility: 'unlisted' as const, description: '' }) })
    link.start()
    await vi.waitFor(() => expect(lastKind(statuses)).toBe('reconnecting'))
    link.retryNow()
    expect((await socket()).url).toContain('ws://h:1/')
  })

  it('waits offline instead of retrying, and connects as soon as the network is back', async () => {
    const { link, socket, statuses, setOnline } = makeLink()
    link.start()
    const first = await socket()
    first.receive({ type: 'snapshot' })
    setOnline(false)
    first.end(CloseCode.TOO_SLOW)
    expect(lastKind(statuses)).toBe('offline')
    setOnline(true)
    await socket(2)
    expect(lastKind(statuses)).toBe('connecting')
  })

  it('after dispose, closes its socket and ignores what it still reports', async () => {
    const { link, socket, statuses, frames } = makeLink()
    link.start()
    const first = await socket()
    link.dispose()
    expect(first.closedWith).toBe(CloseCode.NORMAL)
    const before = statuses.length
    first.receive({ type: 'snapshot' })
    first.end(CloseCode.ABNORMAL)
    expect(frames).toEqual([])
    expect(statuses).toHaveLength(before)
  })
})
