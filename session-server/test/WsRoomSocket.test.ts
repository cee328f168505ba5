import type { IncomingMessage } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { CloseCode } from '@scalable-chat/protocol'
import { WebSocket, WebSocketServer } from 'ws'
import { WriteCoalescer } from '../src/connection/WriteCoalescer.js'
import { WsRoomSocket } from '../src/connection/WsRoomSocket.js'

const opened: { server: WebSocketServer; client: WebSocket }[] = []

afterEach(async () => {
  for (const { server, client } of opened.splice(0)) {
    client.terminate()
    await new Promise((resolve) => server.close(resolve))
  }
})

/** A real WebSocket over loopback TCP: the server's end with its TCP socket, and what the client received. */
async function connected(): Promise<{ ws: WebSocket; transport: Socket; received: string[] }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise((resolve) => server.once('listening', resolve))
  const accepted = new Promise<[WebSocket, IncomingMessage]>((resolve) => server.once('connection', (ws, req) => resolve([ws, req])))
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`)
  opened.push({ server, client })
  const received: string[] = []
  client.on('message', (data) => received.push(String(data)))
  const [[ws, req]] = await Promise.all([accepted, new Promise((resolve) => client.once('open', resolve))])
  return { ws, transport: req.socket as Socket, received }
}

describe('WsRoomSocket', () => {
  it('holds a turn of frames and writes them to the network in ONE write, in order', async () => {
    const { ws, transport, received } = await connected()
    const socket = new WsRoomSocket(ws, transport, new WriteCoalescer())
    const writev = vi.spyOn(transport as unknown as { _writev: (...args: unknown[]) => void }, '_writev')
    const write = vi.spyOn(transport as unknown as { _write: (...args: unknown[]) => void }, '_write')

    socket.send('one')
    socket.send(Buffer.from('two'))
    socket.send('three')
    expect(writev).not.toHaveBeenCalled()
    expect(write).not.toHaveBeenCalled()

    await nextTurn()
    expect(writev).toHaveBeenCalledTimes(1)
    expect(write).not.toHaveBeenCalled()
    await vi.waitFor(() => expect(received).toEqual(['one', 'two', 'three']))
  })

  it('counts only what was queued before the turn as the client falling behind', async () => {
    const { ws, transport } = await connected()
    const socket = new WsRoomSocket(ws, transport, new WriteCoalescer())
    socket.send('x'.repeat(64 * 1024))
    // Held, not behind: nothing had been queued when the turn began.
    expect(socket.bufferedAmount).toBe(0)
    expect(ws.bufferedAmount).toBeGreaterThan(64 * 1024)
    await nextTurn()
    expect(socket.bufferedAmount).toBe(ws.bufferedAmount)
  })

  it('sends nothing once the socket is closing', async () => {
    const { ws, transport, received } = await connected()
    const socket = new WsRoomSocket(ws, transport, new WriteCoalescer())
    socket.send('before')
    socket.close(CloseCode.ROOM_MOVED)
    socket.send('after')
    await nextTurn()
    await vi.waitFor(() => expect(received).toEqual(['before']))
  })
})
