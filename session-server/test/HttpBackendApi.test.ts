import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { HttpBackendApi } from '../src/backendApi/HttpBackendApi.js'

let server: Server | undefined
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = undefined
})

/** A backend that answers every request with `status` and `body`. */
async function answering(status: number, body: string): Promise<HttpBackendApi> {
  server = createServer((_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end(body))
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  return new HttpBackendApi(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'service-token')
}

const commit = { host: 'h:1', epoch: 1, afterSeq: 0, entries: [] }

describe('HttpBackendApi#commit', () => {
  it.each([
    ['a body that is not JSON', 'not json'],
    ['a body that fails the schema', '{"seq":"one"}'],
  ])('answers a 2xx with %s as unreadable (stored, answer unknown), NOT rejected', async (_name, body) => {
    const backend = await answering(200, body)
    expect(await backend.commit('room-1', commit)).toMatchObject({ ok: false, reason: 'unreadable' })
  })

  it('answers a 400 as rejected', async () => {
    const backend = await answering(400, '{}')
    expect(await backend.commit('room-1', commit)).toMatchObject({ ok: false, reason: 'rejected' })
  })
})
