/** A Room over a scripted backend, for the room tests (no network, fake sockets). */
import { pino } from 'pino'
import type { ClientMessage } from '@scalable-chat/protocol'
import { SendRateLimiter, type RateLimits } from '../../src/connection/SendRateLimiter.js'
import { Room, type RoomLimits } from '../../src/room/Room.js'
import { FakeBackendApi } from './FakeBackendApi.js'
import { fakeConnection } from './fakeSocket.js'

export const LIMITS: RoomLimits = {
  maxUsers: 3,
  maxMessageLength: 20,
  maxBufferedBytes: 1000,
  typingTimeoutMs: 6000,
  presenceIntervalMs: 500,
  cursorIntervalMs: 50,
  cursorIdleMs: 10_000,
  boardSaveDelayMs: 2000,
  maxFrameBytes: 16_384,
}

/** Far more than any test sends: the allowance has its own tests. */
export const RATE: Omit<RateLimits, 'burstWindowMs'> = { messagesPerMinute: 10_000, messageBurst: 10_000 }

export function makeRoom(backend = new FakeBackendApi(), limits: Partial<RoomLimits> = {}, rate = RATE) {
  const hooks = { emptied: 0, closed: 0 }
  const room = new Room({
    loaded: { room: { id: 'room-1', name: 'Lobby', ownerId: 'alice' }, epoch: backend.epoch, seq: backend.seq, ...backend.log(), board: backend.board, members: backend.members },
    host: 'session-1:8000',
    backendApi: backend,
    rateLimiter: new SendRateLimiter(rate),
    limits: { ...LIMITS, ...limits },
    owner: { roomEmptied: () => hooks.emptied++, roomClosed: () => hooks.closed++ },
    logger: pino({ level: 'silent' }),
  })
  return { room, backend, hooks }
}

/** A room with alice and bob in it, one connection each. */
export function roomOfTwo(backend?: FakeBackendApi) {
  const made = makeRoom(backend)
  const alice = fakeConnection('alice')
  const bob = fakeConnection('bob')
  made.room.join(alice)
  made.room.join(bob)
  return { ...made, alice, bob }
}

export const send = (clientId: string, text: string): ClientMessage => ({ type: 'send', clientId, text })
