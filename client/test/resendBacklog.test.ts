/**
 * A backlog longer than the session server's burst, re-sent after a reconnect: the REAL servers
 * with the default MESSAGE_BURST (ChatConnection.test.ts raises it for its history test).
 */
import { startTestStack, type TestStack } from '@scalable-chat/session-server/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createApiClient } from '../src/api/createApiClient.js'
import { ChatConnection, type ChatState, type SocketConstructor } from '../src/room/ChatConnection.js'

let stack: TestStack
let burst: number

beforeAll(async () => {
  stack = await startTestStack()
  burst = stack.config.MESSAGE_BURST
})

afterAll(() => stack?.close())

function waitFor(connection: ChatConnection, predicate: (state: ChatState) => boolean): Promise<ChatState> {
  return new Promise((resolve) => {
    const check = () => {
      if (!predicate(connection.getState())) return
      unsubscribe()
      resolve(connection.getState())
    }
    const unsubscribe = connection.subscribe(check)
    check()
  })
}

describe('ChatConnection with a backlog over MESSAGE_BURST', () => {
  it('re-sends every queued message after the reconnect, stores each once, and the connection stays open', async () => {
    let token: string | null = null
    const api = createApiClient({ baseUrl: stack.backend.url, getToken: () => token })
    token = (await api.register({ username: `backlog_${Date.now() % 100000}`, password: 'correct horse' })).token
    const { roomId } = await api.createRoom('Backlog')
    const closeCodes: number[] = []
    const RecordingWebSocket = class extends WebSocket {
      constructor(url: string) {
        super(url)
        this.on('close', (code) => closeCodes.push(code))
      }
    }
    const connection = new ChatConnection({
      roomId,
      api,
      WebSocket: RecordingWebSocket as unknown as SocketConstructor,
      secure: false,
      random: () => 0,
    })
    connection.start()
    try {
      await waitFor(connection, (s) => s.status.kind === 'live')
      stack.dropConnections()
      await waitFor(connection, (s) => s.status.kind !== 'live')

      // More than the strike limit (10) beyond the burst: before pacing, this got the client closed (1008).
      const count = burst + 10
      const texts = Array.from({ length: count }, (_, i) => `queued ${i}`)
      for (const text of texts) connection.send(text)

      const state = await waitFor(connection, (s) => s.messages.length === count && s.pending.length === 0)
      expect(state.status.kind).toBe('live')
      expect(state.messages.map((m) => m.text)).toEqual(texts)
      expect(state.notice ?? null).toBeNull()
      const history = await api.history(roomId, undefined, 50)
      expect(history.messages.map((m) => m.text)).toEqual(texts)
      // Only the test's own cut: no close from the server (1008 or otherwise).
      expect(closeCodes).toEqual([1006])
    } finally {
      connection.dispose()
    }
  }, 30_000)
})
