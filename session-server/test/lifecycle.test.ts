import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { HistoryResponse } from '@scalable-chat/backend-contract'
import { CloseCode, PROTOCOL_VERSION } from '@scalable-chat/protocol'
import { startStack, uniqueName, type Stack } from './helpers/stack.js'

let stack: Stack
beforeAll(async () => {
  stack = await startStack({ ROOM_UNLOAD_GRACE_MS: '0' })
})
afterAll(() => stack.close())

describe('room deletion', () => {
  it('when the owner deletes the room, members get room_deleted then a ROOM_DELETED close', async () => {
    const { roomId, users } = await stack.usersInRoom([uniqueName('owner'), uniqueName('guest')])
    const response = await fetch(`${stack.backend.url}/api/rooms/${roomId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${users[0]!.auth.token}` },
    })
    expect(response.status).toBe(204)
    for (const { client } of users) {
      expect(await client.next('room_deleted')).toEqual({ type: 'room_deleted' })
      expect((await client.closed).code).toBe(CloseCode.ROOM_DELETED)
    }
    expect(stack.session.rooms.get(roomId)).toBeUndefined()
  })

  it('when the backend says the room moved, members get a ROOM_MOVED close and the room is forgotten (no release)', async () => {
    const { roomId, users } = await stack.usersInRoom([uniqueName('reader')])
    const response = await fetch(`http://${stack.host}/internal/rooms/${roomId}/moved`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.config.SERVICE_TOKEN}` },
    })
    expect(response.status).toBe(204)
    expect((await users[0]!.client.closed).code).toBe(CloseCode.ROOM_MOVED)
    expect(stack.session.rooms.get(roomId)).toBeUndefined()
  })

  it('refuses POST /internal/rooms/:id/moved without the service token, and keeps the room', async () => {
    const { roomId } = await stack.usersInRoom([uniqueName('reader')])
    const response = await fetch(`http://${stack.host}/internal/rooms/${roomId}/moved`, { method: 'POST' })
    expect(response.status).toBe(401)
    expect(stack.session.rooms.get(roomId)?.isClosed).toBe(false)
  })

  it('answers DELETE /internal/rooms/:id with 204 for a room it does not hold', async () => {
    const response = await fetch(`http://${stack.host}/internal/rooms/notLoadedRoom1`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${stack.config.SERVICE_TOKEN}` },
    })
    expect(response.status).toBe(204)
  })
})

describe('a member leaving', () => {
  const left = (roomId: string, userId: string, query = '', token: string | null = stack.config.SERVICE_TOKEN) =>
    fetch(`http://${stack.host}/internal/rooms/${roomId}/members/${userId}/left${query}`, {
      method: 'POST',
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
    })

  it('closes the member’s sockets with LEFT_ROOM; the others see user_left, and room_updated when the owner changed', async () => {
    const { roomId, users } = await stack.usersInRoom([uniqueName('owner'), uniqueName('heir')])
    const [owner, heir] = users as [(typeof users)[number], (typeof users)[number]]
    expect((await left(roomId, owner.auth.user.id, `?ownerId=${heir.auth.user.id}`)).status).toBe(204)
    expect((await owner.client.closed).code).toBe(CloseCode.LEFT_ROOM)
    expect(await heir.client.next('room_updated')).toEqual({ type: 'room_updated', room: { id: roomId, name: expect.any(String), ownerId: heir.auth.user.id } })
    expect(await heir.client.next('user_left')).toEqual({ type: 'user_left', userId: owner.auth.user.id })
    expect(stack.session.rooms.get(roomId)?.info.ownerId).toBe(heir.auth.user.id)
  })

  it('refuses a call without the service token (401) or with ids that are not uuids (400), and changes nothing', async () => {
    const { roomId, users } = await stack.usersInRoom([uniqueName('stays')])
    const userId = users[0]!.auth.user.id
    expect((await left(roomId, userId, '', null)).status).toBe(401)
    expect((await left(roomId, 'not-a-uuid')).status).toBe(400)
    expect((await left(roomId, userId, '?ownerId=nobody')).status).toBe(400)
    expect(stack.session.rooms.get(roomId)?.connectionCount).toBe(1)
    expect((await left('notLoadedRoom1', userId)).status).toBe(204)
  })
})

describe('who is online, for the directory', () => {
  it('answers how many people are connected to each room it holds (absent: not held), with the service token only', async () => {
    const { roomId } = await stack.usersInRoom([uniqueName('one'), uniqueName('two')])
    const ask = (ids: string, token: string | null = stack.config.SERVICE_TOKEN) =>
      fetch(`http://${stack.host}/internal/rooms/online?ids=${ids}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } })
    const answer = await ask(`${roomId},notLoadedRoom1`)
    expect(answer.status).toBe(200)
    expect(await answer.json()).toEqual({ online: { [roomId]: 2 } })
    expect((await ask(roomId, null)).status).toBe(401)
    expect((await ask(Array.from({ length: 101 }, (_, i) => `room${i}xxxxxx`).join(','))).status).toBe(400)
  })
})

describe('unloading', () => {
  it('unloads an empty room after the grace period and loads it again, history intact, on the next join', async () => {
    const { roomId, users } = await stack.usersInRoom([uniqueName()])
    const { client, auth } = users[0]!
    client.send({ type: 'send', clientId: 'before', text: 'kept' })
    await client.next('message')
    client.ws.close()
    await vi.waitFor(() => expect(stack.session.rooms.get(roomId)).toBeUndefined())

    const { token } = await stack.join(auth.token, roomId)
    const snapshot = await stack.connect({ token, v: PROTOCOL_VERSION }).next('snapshot')
    expect(snapshot.messages.map((m) => m.text)).toEqual(['kept'])
    expect(snapshot.seq).toBe(1)
  })
})

describe('drain', () => {
  it('stores the messages in flight, then closes sockets with 1012, releases the room and refuses new connections with 503 and says draining on /healthz', async () => {
    // Commits wait at this gate so the test can drain while a message is in flight.
    let openGate: () => void = () => {}
    const gate = new Promise<void>((resolve) => (openGate = resolve))
    let commitsStarted = 0
    const releases: string[] = []
    const drainStack = await startStack({}, {
      wrapBackendApi: (backend) => ({
        loadRoom: (roomId, host) => backend.loadRoom(roomId, host),
        register: (host) => backend.register(host),
        roomTokenKey: () => backend.roomTokenKey(),
        saveBoard: (roomId, request) => backend.saveBoard(roomId, request),
        reportSeen: (roomId, request) => backend.reportSeen(roomId, request),
        saveReads: (roomId, request) => backend.saveReads(roomId, request),
        async commit(roomId, request) {
          commitsStarted++
          await gate
          return backend.commit(roomId, request)
        },
        async release(roomId, host, epoch) {
          releases.push(roomId)
          return backend.release(roomId, host, epoch)
        },
      }),
    })
    try {
      const { roomId, users } = await drainStack.usersInRoom([uniqueName()])
      const { client, auth } = users[0]!
      client.send({ type: 'send', clientId: 'last', text: 'stored before exit' })
      await vi.waitFor(() => expect(commitsStarted).toBe(1))
      const drained = drainStack.session.drain()
      const { token } = await drainStack.join(auth.token, roomId)
      expect(await drainStack.connect({ token, v: PROTOCOL_VERSION }).rejected).toBe(503)
      // …and tells the backend's health checks to place rooms elsewhere (while staying live).
      const health = await fetch(`http://${drainStack.host}/healthz`)
      expect(health.status).toBe(200)
      expect(await health.json()).toMatchObject({ ok: true, draining: true })
      expect(client.all('message')).toEqual([])

      openGate()
      expect((await client.next('message')).message.clientId).toBe('last')
      expect((await client.closed).code).toBe(CloseCode.SERVICE_RESTART)
      await drained
      expect(releases).toEqual([roomId])

      const response = await fetch(`${drainStack.backend.url}/api/rooms/${roomId}/messages`, {
        headers: { authorization: `Bearer ${auth.token}` },
      })
      const history = (await response.json()) as HistoryResponse
      expect(history.messages.map((m) => m.clientId)).toEqual(['last'])
    } finally {
      openGate()
      await drainStack.close()
    }
  })
})
