import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuthResponse } from '@scalable-chat/backend-contract'
import { CloseCode, PROTOCOL_VERSION } from '@scalable-chat/protocol'
import { startStack, uniqueName, type Stack } from './helpers/stack.js'

/** A guest of `roomId` (the backend must allow guests), through the real API. */
async function enterAsGuest(stack: Stack, roomId: string, username = uniqueName('guest')): Promise<AuthResponse> {
  const response = await fetch(`${stack.backend.url}/api/auth/guest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, roomId }),
  })
  if (response.status !== 201) throw new Error(`guest entry: HTTP ${response.status} ${await response.text()}`)
  return (await response.json()) as AuthResponse
}

/** An owner connected to a fresh room, and the room. */
async function ownerInRoom(stack: Stack) {
  const { roomId, users } = await stack.usersInRoom([uniqueName('owner')])
  return { roomId, owner: users[0]! }
}

describe('a guest member', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({}, { backend: { overrides: { allowGuests: true } } })
  })
  afterAll(() => stack.close())

  it('is marked guest: true in the snapshot and in user_joined; an account is not marked', async () => {
    const { roomId, owner } = await ownerInRoom(stack)
    const guest = await enterAsGuest(stack, roomId)
    const { token } = await stack.join(guest.token, roomId)
    const client = stack.connect({ token, v: PROTOCOL_VERSION })

    const snapshot = await client.next('snapshot')
    expect(snapshot.you).toMatchObject({ userId: guest.user.id, username: guest.user.username })
    expect(snapshot.you).not.toHaveProperty('guest')
    expect(snapshot.members).toEqual(
      expect.arrayContaining([
        { userId: guest.user.id, username: guest.user.username, status: 'online', guest: true },
        { userId: owner.auth.user.id, username: owner.auth.user.username, status: 'online' },
      ]),
    )
    expect(await owner.client.next('user_joined')).toEqual({
      type: 'user_joined',
      member: { userId: guest.user.id, username: guest.user.username, status: 'online', guest: true },
    })
  })

  it('stays marked when offline, in the room as held and as loaded again from storage', async () => {
    const { roomId, owner } = await ownerInRoom(stack)
    const guest = await enterAsGuest(stack, roomId)
    const client = stack.connect({ token: (await stack.join(guest.token, roomId)).token, v: PROTOCOL_VERSION })
    await client.next('snapshot')
    client.ws.close()
    await owner.client.next('user_left')

    const again = stack.connect({ token: (await stack.join(owner.auth.token, roomId)).token, v: PROTOCOL_VERSION })
    expect((await again.next('snapshot')).offline).toEqual([
      { userId: guest.user.id, username: guest.user.username, lastSeenAt: expect.any(String), guest: true },
    ])

    // A restarted session server holds nothing: the room loads from storage (`membersSeen`).
    await stack.stopSession()
    await stack.startSession()
    const reloaded = stack.connect({ token: (await stack.join(owner.auth.token, roomId)).token, v: PROTOCOL_VERSION })
    expect((await reloaded.next('snapshot')).offline).toContainEqual({
      userId: guest.user.id,
      username: guest.user.username,
      lastSeenAt: expect.any(String),
      guest: true,
    })
  })
})

describe('a guest whose access ends', () => {
  let stack: Stack
  beforeAll(async () => {
    // Two seconds of access, swept every 100 ms.
    stack = await startStack({}, { backend: { overrides: { allowGuests: true, guestTtlSeconds: 2, guestSweepIntervalMs: 100 } } })
  })
  afterAll(() => stack.close())

  it('is closed with LEFT_ROOM when the sweep deletes it, and the others get user_left without a time', async () => {
    const { roomId, owner } = await ownerInRoom(stack)
    const guest = await enterAsGuest(stack, roomId)
    const client = stack.connect({ token: (await stack.join(guest.token, roomId)).token, v: PROTOCOL_VERSION })
    await client.next('snapshot')
    await owner.client.next('user_joined')

    expect((await client.closed).code).toBe(CloseCode.LEFT_ROOM)
    expect(await owner.client.next('user_left')).toEqual({ type: 'user_left', userId: guest.user.id })
  })
})
