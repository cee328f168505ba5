/**
 * The per-user and per-server limits on connections and frames, on a real stack: what one account
 * may hold and send, and what it gets when it goes past that.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { CloseCode, ErrorCode, PROTOCOL_VERSION } from '@scalable-chat/protocol'
import { MAX_QUEUED_FRAMES, PAUSE_AT_QUEUED_FRAMES } from '../src/connection/ClientSession.js'
import { MAX_STRIKES } from '../src/connection/StrikeCounter.js'
import { startStack, uniqueName, type Stack } from './helpers/stack.js'
import type { TestClient } from './helpers/TestClient.js'

/** A user with a user token, and a fresh room token for each connection. */
async function member(stack: Stack, roomId?: string) {
  const auth = await stack.register(uniqueName())
  const room = roomId ?? (await stack.createRoom(auth.token))
  return {
    auth,
    roomId: room,
    async open(): Promise<TestClient> {
      const { token } = await stack.join(auth.token, room)
      return stack.connect({ token, v: PROTOCOL_VERSION })
    },
  }
}

describe('connection caps', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({
      MAX_CONNECTIONS_PER_USER_PER_ROOM: '2',
      MAX_CONNECTIONS_PER_USER: '3',
      MAX_CONNECTIONS: '6',
      CONNECTS_PER_USER_PER_MINUTE: '1000',
    })
  })
  afterAll(() => stack.close())

  it('holds a user to MAX_CONNECTIONS_PER_USER_PER_ROOM in one room (4029), and gives a slot back when one closes', async () => {
    const alice = await member(stack)
    const tabs = [await alice.open(), await alice.open()]
    for (const tab of tabs) await tab.next('snapshot')
    const extra = await alice.open()
    expect((await extra.closed).code).toBe(CloseCode.TOO_MANY_CONNECTIONS)
    expect(extra.all('snapshot')).toEqual([])
    tabs[0]!.ws.close()
    await tabs[0]!.closed
    await vi.waitFor(async () => {
      const again = await alice.open()
      await again.next('snapshot')
      again.ws.close()
    })
    tabs[1]!.ws.close()
  })

  it('holds a user to MAX_CONNECTIONS_PER_USER over all rooms, without touching anyone else', async () => {
    const bob = await member(stack)
    const rooms = [bob.roomId, await stack.createRoom(bob.auth.token), await stack.createRoom(bob.auth.token), await stack.createRoom(bob.auth.token)]
    const open = async (roomId: string) => stack.connect({ token: (await stack.join(bob.auth.token, roomId)).token, v: PROTOCOL_VERSION })
    const held = [await open(rooms[0]!), await open(rooms[1]!), await open(rooms[2]!)]
    for (const socket of held) await socket.next('snapshot')
    const fourth = await open(rooms[3]!)
    expect((await fourth.closed).code).toBe(CloseCode.TOO_MANY_CONNECTIONS)
    // Someone else still gets in.
    const carol = await member(stack)
    const theirs = await carol.open()
    await theirs.next('snapshot')
    for (const socket of [...held, theirs]) socket.ws.close()
    await Promise.all([...held, theirs].map((socket) => socket.closed))
  })

  it('holds the server to MAX_CONNECTIONS (4513 SERVER_FULL, reconnect later), whoever asks', async () => {
    const owner = await member(stack)
    const users = [owner, ...(await Promise.all(Array.from({ length: 5 }, () => member(stack, owner.roomId))))]
    const held = await Promise.all(users.map((user) => user.open()))
    for (const socket of held) await socket.next('snapshot')
    const late = await (await member(stack, owner.roomId)).open()
    expect((await late.closed).code).toBe(CloseCode.SERVER_FULL)
    held[0]!.ws.close()
    await held[0]!.closed
    await vi.waitFor(async () => {
      const again = await users[0]!.open()
      await again.next('snapshot')
      held[0] = again
    })
    for (const socket of held) socket.ws.close()
    await Promise.all(held.map((socket) => socket.closed))
  })
})

describe('connect rate', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ CONNECTS_PER_USER_PER_MINUTE: '3' })
  })
  afterAll(() => stack.close())

  it('refuses a user\'s connects past CONNECTS_PER_USER_PER_MINUTE with HTTP 429 before any socket exists; others connect', async () => {
    const dave = await member(stack)
    for (let i = 0; i < 3; i++) {
      const socket = await dave.open()
      await socket.next('snapshot')
      socket.ws.close()
      await socket.closed
    }
    expect(await (await dave.open()).rejected).toBe(429)
    const erin = await member(stack, dave.roomId)
    await (await erin.open()).next('snapshot')
  })
})

describe('frame allowance', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ FRAMES_PER_SECOND: '5', CONNECTS_PER_USER_PER_MINUTE: '1000' })
  })
  afterAll(() => stack.close())

  it('charges typing and status like sends, per user over all their sockets: the excess is refused and struck, closing with 1008', async () => {
    const flooder = await member(stack)
    const [first, second] = [await flooder.open(), await flooder.open()]
    await first.next('snapshot')
    await second.next('snapshot')
    const victim = await member(stack, flooder.roomId)
    const watcher = await victim.open()
    await watcher.next('snapshot')

    // Two sockets, one allowance: 5 per second between them, the rest refused.
    for (let i = 0; i < 3; i++) first.send({ type: 'typing', typing: i % 2 === 0 })
    for (let i = 0; i < 3 + MAX_STRIKES; i++) second.send({ type: 'status', status: i % 2 === 0 ? 'away' : 'online' })
    const closed = await Promise.race([first.closed, second.closed])
    expect(closed.code).toBe(CloseCode.POLICY_VIOLATION)
    const refusals = [...first.all('error'), ...second.all('error')]
    expect(refusals.length).toBeGreaterThanOrEqual(MAX_STRIKES)
    expect(new Set(refusals.map((e) => e.code))).toEqual(new Set([ErrorCode.RATE_LIMITED]))

    // The other member's own frames are theirs to spend.
    watcher.send({ type: 'send', clientId: 'still-here', text: 'unharmed' })
    expect((await watcher.next('message')).message.clientId).toBe('still-here')
  })

  it('leaves a send refused for frame rate with its clientId, so the client re-sends it', async () => {
    const user = await member(stack)
    const socket = await user.open()
    await socket.next('snapshot')
    for (let i = 0; i < 5; i++) socket.send({ type: 'typing', typing: i % 2 === 0 })
    socket.send({ type: 'send', clientId: 'sixth', text: 'over the allowance' })
    expect(await socket.next('error')).toMatchObject({ code: ErrorCode.RATE_LIMITED, clientId: 'sixth' })
  })
})

describe('frames before the join', () => {
  let stack: Stack
  /** Room loads waiting at the gate: the test's frames arrive while the room is loading. */
  const loading: Array<() => void> = []
  const releaseLoad = async () => {
    await vi.waitFor(() => expect(loading.length).toBeGreaterThan(0))
    loading.shift()!()
  }
  beforeAll(async () => {
    stack = await startStack({ FRAMES_PER_SECOND: '100000' }, {
      wrapBackendApi: (backend) => ({
        async loadRoom(roomId, host) {
          await new Promise<void>((resolve) => loading.push(resolve))
          return backend.loadRoom(roomId, host)
        },
        commit: (roomId, request) => backend.commit(roomId, request),
        saveBoard: (roomId, request) => backend.saveBoard(roomId, request),
        reportSeen: (roomId, request) => backend.reportSeen(roomId, request),
        saveReads: (roomId, request) => backend.saveReads(roomId, request),
        release: (roomId, host, epoch) => backend.release(roomId, host, epoch),
        register: (host) => backend.register(host),
        roomTokenKey: () => backend.roomTokenKey(),
      }),
    })
  })
  afterAll(() => stack.close())

  it('are held while the room loads (the socket paused) and handled in order once the snapshot is out', async () => {
    const user = await member(stack)
    const socket = await user.open()
    await socket.opened
    for (let i = 0; i < 3; i++) socket.send({ type: 'send', clientId: `early-${i}`, text: `early ${i}` })
    await releaseLoad()
    await socket.next('snapshot')
    const messages = await socket.waitForCount('message', 3)
    expect(messages.map((m) => m.message.clientId)).toEqual(['early-0', 'early-1', 'early-2'])
    expect(socket.all('error')).toEqual([])
  })

  it('are bounded: of frames read together, those past MAX_QUEUED_FRAMES are refused, not queued', async () => {
    const user = await member(stack)
    const socket = await user.open()
    await socket.opened
    const extra = 5
    socket.sendInOneWrite([
      ...Array.from({ length: MAX_QUEUED_FRAMES + extra - 1 }, (_, i) => ({ type: 'typing', typing: i % 2 === 0 })),
      { type: 'send', clientId: 'last', text: 'x' },
    ])
    await releaseLoad()
    await socket.next('snapshot')
    const errors = await socket.waitForCount('error', extra)
    expect(errors.map((e) => e.code)).toEqual(Array(extra).fill(ErrorCode.RATE_LIMITED))
    // Refused unread, so the last (a send) is not named: no client following the protocol sends so many at once.
    expect(errors.every((e) => e.clientId === undefined)).toBe(true)
    socket.send({ type: 'send', clientId: 'after', text: 'then normal service' })
    expect((await socket.next('message')).message.clientId).toBe('after')
  })
})

describe('a burst the allowance permits', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ FRAMES_PER_SECOND: '100000', MESSAGE_BURST: '10000', MESSAGE_RATE_PER_MINUTE: '100000' })
  })
  afterAll(() => stack.close())

  it('is handled whole when read together: a burst of sends in one TCP read, many times PAUSE_AT_QUEUED_FRAMES, all stored', async () => {
    const user = await member(stack)
    const socket = await user.open()
    await socket.next('snapshot')
    const count = PAUSE_AT_QUEUED_FRAMES * 12
    socket.sendInOneWrite(Array.from({ length: count }, (_, i) => ({ type: 'send', clientId: `burst-${i}`, text: `${i}` })))
    const messages = await socket.waitForCount('message', count)
    expect(messages.map((m) => m.message.clientId)).toEqual(Array.from({ length: count }, (_, i) => `burst-${i}`))
    expect(socket.all('error')).toEqual([])
  })

  it('is read on at the pace it is handled: more sends than MAX_QUEUED_FRAMES, over many reads, all stored', async () => {
    const user = await member(stack)
    const socket = await user.open()
    await socket.next('snapshot')
    // Under the room's MAX_PENDING_MESSAGES, so storage does not refuse any either.
    const count = MAX_QUEUED_FRAMES + 388
    for (let i = 0; i < count; i++) socket.send({ type: 'send', clientId: `many-${i}`, text: `${i} ${'x'.repeat(150)}` })
    const messages = await socket.waitForCount('message', count)
    expect(messages.map((m) => m.message.clientId)).toEqual(Array.from({ length: count }, (_, i) => `many-${i}`))
    expect(socket.all('error')).toEqual([])
  }, 30_000)
})
