import { Duplex, type Writable } from 'node:stream'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { WsRoomSocket } from '../src/connection/WsRoomSocket.js'

/** A transport recording each write it is handed (a `writev` of several chunks is one write). */
function recordingTransport() {
  const writes: string[][] = []
  const transport = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      writes.push([chunk.toString()])
      done()
    },
    writev(chunks, done) {
      writes.push(chunks.map(({ chunk }) => String(chunk)))
      done()
    },
  })
  return { transport, writes }
}

/** Stands in for a ws WebSocket: what it is sent goes to the transport as is (no framing). */
function wsOn(transport: Writable, readyState: number = WebSocket.OPEN): WebSocket {
  return { readyState, send: (data: string | Buffer) => transport.write(data), bufferedAmount: 0 } as unknown as WebSocket
}

describe('WsRoomSocket#send', () => {
  it('writes every frame of one turn of the event loop in ONE write, in order', async () => {
    const { transport, writes } = recordingTransport()
    const socket = new WsRoomSocket(wsOn(transport), transport)
    socket.send('a')
    socket.send('b')
    socket.send(Buffer.from('c'))
    expect(writes).toEqual([])
    await nextTurn()
    expect(writes).toEqual([['a', 'b', 'c']])
  })

  it('writes the frames of the next turn apart, and does NOT leave the transport corked', async () => {
    const { transport, writes } = recordingTransport()
    const socket = new WsRoomSocket(wsOn(transport), transport)
    socket.send('a')
    await nextTurn()
    socket.send('b')
    await nextTurn()
    expect(writes).toEqual([['a'], ['b']])
    expect(transport.writableCorked).toBe(0)
  })

  it('keeps a room batch (cork … uncork) within the same write', async () => {
    const { transport, writes } = recordingTransport()
    const socket = new WsRoomSocket(wsOn(transport), transport)
    socket.cork()
    socket.send('a')
    socket.send('b')
    socket.uncork()
    await nextTurn()
    expect(writes).toEqual([['a', 'b']])
    expect(transport.writableCorked).toBe(0)
  })

  it('does NOT send on a socket that is not open', async () => {
    const { transport, writes } = recordingTransport()
    new WsRoomSocket(wsOn(transport, WebSocket.CLOSING), transport).send('a')
    await nextTurn()
    expect(writes).toEqual([])
  })
})
