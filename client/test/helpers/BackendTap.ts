/**
 * A recording pass-through between the session servers and the backend's internal API, for the
 * board fail-over tests: session servers get the tap's URL as BACKEND_URL, every request goes on
 * to the backend unchanged, and each board save the backend ANSWERED is recorded with the board it
 * stored. So a test knows exactly which board version storage holds (no log scraping, no guessed
 * sleeps), and after a crash, once the tap is idle, what the next server will load.
 */
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Board } from '@scalable-chat/backend-contract'
import { SaveBoardRequest } from '@scalable-chat/backend-contract/internal'

export interface BoardSave {
  roomId: string
  /** The session server that saved it, and under which placement epoch. */
  host: string
  epoch: number
  board: Board
  /** The backend's answer: 204 stored; 409/404 fenced. */
  status: number
  /** When the backend's answer reached the tap (Date.now()). */
  at: number
}

export interface BackendTap {
  /** `http://127.0.0.1:<port>`: the BACKEND_URL to give session servers. */
  readonly url: string
  /** Every answered board save of `roomId`, in the order the answers came. */
  boardSaves(roomId: string): BoardSave[]
  /** The board storage holds for `roomId` as far as the tap saw: the last save answered 204. */
  storedBoard(roomId: string): Board | undefined
  /** Resolves with the first stored (204) save of `roomId` at `version` or later; rejects after `timeoutMs`. */
  whenBoardStored(roomId: string, version: number, timeoutMs: number): Promise<BoardSave>
  /** Resolves once no request is on its way through the tap; rejects after `timeoutMs`. */
  idle(timeoutMs: number): Promise<void>
  close(): Promise<void>
}

const BOARD_PATH = /^\/internal\/rooms\/([^/?]+)\/board$/

export async function startBackendTap(backendUrl: string): Promise<BackendTap> {
  const upstream = new URL(backendUrl)
  const saves: BoardSave[] = []
  let inFlight = 0
  const listeners = new Set<() => void>()
  const notify = () => {
    for (const listener of [...listeners]) listener()
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    // Only a request that arrived whole goes on (one cut short by a SIGKILL never reached the backend either).
    req.on('end', () => {
      inFlight++
      const body = Buffer.concat(chunks)
      let done = false
      const finish = () => {
        if (done) return
        done = true
        inFlight--
        notify()
      }
      const forward = request(
        { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: withoutHopByHop(req.headers) },
        (answer) => {
          const answerChunks: Buffer[] = []
          answer.on('data', (chunk: Buffer) => answerChunks.push(chunk))
          answer.on('end', () => {
            const status = answer.statusCode ?? 0
            record(req, body, status)
            if (!res.destroyed) {
              res.writeHead(status, withoutHopByHop(answer.headers))
              res.end(Buffer.concat(answerChunks))
            }
            finish()
          })
          answer.on('error', () => {
            res.destroy()
            finish()
          })
        },
      )
      forward.on('error', () => {
        if (!res.headersSent && !res.destroyed) res.writeHead(502).end()
        finish()
      })
      forward.end(body)
    })
  })

  function record(req: IncomingMessage, body: Buffer, status: number): void {
    const path = BOARD_PATH.exec(req.url ?? '')
    if (req.method !== 'PUT' || !path) return
    const parsed = SaveBoardRequest.safeParse(JSON.parse(body.toString('utf8')))
    if (!parsed.success) return
    saves.push({ roomId: decodeURIComponent(path[1]!), ...parsed.data, status, at: Date.now() })
  }

  function when<T>(check: () => T | undefined, timeoutMs: number, what: () => string): Promise<T> {
    return new Promise((resolve, reject) => {
      const listener = () => {
        const result = check()
        if (result === undefined) return
        listeners.delete(listener)
        clearTimeout(timer)
        resolve(result)
      }
      const timer = setTimeout(() => {
        listeners.delete(listener)
        reject(new Error(`backend tap: ${what()} within ${timeoutMs} ms`))
      }, timeoutMs)
      listeners.add(listener)
      listener()
    })
  }

  const boardSaves = (roomId: string) => saves.filter((save) => save.roomId === roomId)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    boardSaves,
    storedBoard: (roomId) => boardSaves(roomId).filter((save) => save.status === 204).at(-1)?.board,
    whenBoardStored: (roomId, version, timeoutMs) =>
      when(
        () => boardSaves(roomId).find((save) => save.status === 204 && save.board.version >= version),
        timeoutMs,
        () => `no save of board version ${version} stored (saves: ${JSON.stringify(boardSaves(roomId).map((s) => [s.board.version, s.status]))})`,
      ),
    idle: (timeoutMs) =>
      when(
        () => (inFlight === 0 ? true : undefined),
        timeoutMs,
        () => `${inFlight} requests still in flight`,
      ).then(() => undefined),
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** The headers that describe one hop's connection, not the message: each hop sets its own. */
function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const { connection: _connection, 'keep-alive': _keepAlive, 'transfer-encoding': _encoding, ...rest } = headers
  return rest
}
