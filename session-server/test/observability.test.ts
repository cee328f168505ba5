import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import { randomBytes } from 'node:crypto'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TEST_SERVICE_TOKEN } from '@scalable-chat/backend-server/testing'
import { loadConfig } from '../src/config.js'
import { createSessionServer } from '../src/createSessionServer.js'
import { PROTOCOL_VERSION } from '@scalable-chat/protocol'
import { FakeBackendApi } from './helpers/FakeBackendApi.js'
import { startStack, uniqueName, type Stack } from './helpers/stack.js'

const METRICS_TOKEN = 'session-metrics-token-for-tests'

class LogCapture extends Writable {
  text = ''
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString()
    done()
  }
}

const sessionLogs = new LogCapture()
const backendLogs = new LogCapture()
let stack: Stack
beforeAll(async () => {
  stack = await startStack(
    { METRICS_TOKEN },
    { logger: pino({ level: 'debug' }, sessionLogs), backend: { logStream: backendLogs } },
  )
})
afterAll(() => stack.close())

const strong = () => randomBytes(32).toString('base64')

describe('production secrets', () => {
  it('refuses a missing, weak or known SERVICE_TOKEN in production, naming it; holds no JWT_SECRET', () => {
    const production = (env: Record<string, string>) => () => loadConfig({ NODE_ENV: 'production', ...env })
    expect(production({})).toThrow(/^SERVICE_TOKEN: is required$/)
    expect(production({ SERVICE_TOKEN: 'z'.repeat(40) })).toThrow(/^SERVICE_TOKEN: has fewer than 10 distinct/)
    expect(production({ SERVICE_TOKEN: TEST_SERVICE_TOKEN })).toThrow(/^SERVICE_TOKEN: is a known/)
    // A JWT_SECRET left in the environment is ignored: nothing here can sign a token.
    expect(production({ SERVICE_TOKEN: strong(), JWT_SECRET: strong() })()).not.toHaveProperty('JWT_SECRET')
    expect(loadConfig({ SERVICE_TOKEN: TEST_SERVICE_TOKEN }).NODE_ENV).toBe('development')
  })
})

describe('logs', () => {
  it('hold no password or token after a register, login, join, connect, send cycle, on either server', async () => {
    const username = uniqueName('logcheck')
    const password = 'correct horse battery'
    const registered = await stack.register(username)
    const login = await fetch(`${stack.backend.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    })
    const { token: userToken } = (await login.json()) as { token: string }
    const roomId = await stack.createRoom(userToken)
    const { token: roomToken } = await stack.join(userToken, roomId)
    const client = stack.connect({ token: roomToken, v: PROTOCOL_VERSION })
    await client.next('snapshot')
    client.send({ type: 'send', clientId: 'log-1', text: 'hello logs' })
    await client.next('message')
    const refused = stack.connect({ token: `${roomToken}x`, v: PROTOCOL_VERSION })
    expect(await refused.rejected).toBe(401)

    expect(sessionLogs.text).toContain('"msg":"connection accepted"')
    expect(sessionLogs.text).toContain('"msg":"handshake refused"')
    expect(backendLogs.text).toContain('"msg":"request"')
    for (const secret of [password, registered.token, userToken, roomToken]) {
      expect(sessionLogs.text).not.toContain(secret)
      expect(backendLogs.text).not.toContain(secret)
    }
  })
})

describe('GET /metrics', () => {
  it('requires the METRICS_TOKEN bearer', async () => {
    expect((await fetch(`http://${stack.host}/metrics`)).status).toBe(401)
    expect((await fetch(`http://${stack.host}/metrics`, { headers: { authorization: 'Bearer nope-nope-nope-nope' } })).status).toBe(401)
  })

  it('reports connections, rooms, members, messages, broadcast and commit timings, and rejected inputs by reason', async () => {
    const { users } = await stack.usersInRoom([uniqueName(), uniqueName()])
    users[0]!.client.send({ type: 'send', clientId: 'm-1', text: 'counted' })
    await users[1]!.client.next('message')
    users[0]!.client.send('{not json')
    await users[0]!.client.next('error')
    const bad = stack.connect({ token: 'forged', v: PROTOCOL_VERSION })
    expect(await bad.rejected).toBe(401)

    const response = await fetch(`http://${stack.host}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    expect(response.status).toBe(200)
    const text = await response.text()
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1])
    expect(value('connections_open')).toBeGreaterThanOrEqual(2)
    expect(value('rooms_loaded')).toBeGreaterThanOrEqual(1)
    expect(value('room_members')).toBeGreaterThanOrEqual(2)
    expect(value('chat_messages_received_total')).toBeGreaterThanOrEqual(1)
    expect(value('chat_messages_broadcast_total')).toBeGreaterThanOrEqual(1)
    expect(value('broadcast_duration_seconds_count')).toBeGreaterThanOrEqual(1)
    expect(value('commit_batch_size_count')).toBeGreaterThanOrEqual(1)
    expect(value('commit_duration_seconds_count')).toBeGreaterThanOrEqual(1)
    expect(value('rejected_inputs_total\\{reason="invalid_json"\\}')).toBeGreaterThanOrEqual(1)
    expect(value('rejected_inputs_total\\{reason="handshake_unauthorized"\\}')).toBeGreaterThanOrEqual(1)
  })
})

describe('GET /readyz', () => {
  it('is 503 not_registered until registered, 200 after, 503 draining once draining; /healthz stays 200', async () => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`
    const config = loadConfig({ SERVICE_TOKEN: TEST_SERVICE_TOKEN, PUBLIC_HOST: host, LOG_LEVEL: 'silent' })
    const session = createSessionServer({ config, server, backendApi: new FakeBackendApi() })
    try {
      const ready = async () => {
        const res = await fetch(`http://${host}/readyz`)
        return { status: res.status, body: (await res.json()) as unknown }
      }
      expect(await ready()).toEqual({ status: 503, body: { error: { code: 'not_registered', message: expect.any(String) } } })
      session.markRegistered()
      expect(await ready()).toEqual({ status: 200, body: { ok: true } })
      await session.drain()
      expect((await ready()).body).toMatchObject({ error: { code: 'draining' } })
      expect((await fetch(`http://${host}/healthz`)).status).toBe(200)
      // No METRICS_TOKEN: no /metrics at all.
      expect((await fetch(`http://${host}/metrics`)).status).toBe(404)
    } finally {
      await session.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})
