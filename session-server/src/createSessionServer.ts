/**
 * The session server as a value: an HTTP server carrying the WebSocket endpoint, `/healthz` and
 * the backend's `DELETE /internal/rooms/:roomId`. `main.ts` listens and handles signals; tests
 * start it on port 0.
 */
import type { KeyObject } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { pino } from 'pino'
import { WebSocketServer } from 'ws'
import { requestIdFrom } from '@scalable-chat/backend-contract/internal'
import { RoomTokenVerifier } from './auth/RoomTokenVerifier.js'
import type { BackendApi, FleetApi } from './backendApi/BackendApi.js'
import { HttpBackendApi } from './backendApi/HttpBackendApi.js'
import type { Config } from './config.js'
import { ClientSession, type SessionServices } from './connection/ClientSession.js'
import { ConnectionLimits } from './connection/ConnectionLimits.js'
import { FrameRateLimiter } from './connection/FrameRateLimiter.js'
import { SendRateLimiter } from './connection/SendRateLimiter.js'
import { startKeepAlive } from './connection/startKeepAlive.js'
import { FleetRegistration } from './fleet/FleetRegistration.js'
import { createHttpHandler } from './http/handleHttpRequest.js'
import { rejectHandshake } from './http/rejectHandshake.js'
import { splitRequestTarget } from './http/splitRequestTarget.js'
import type { Logger } from './logger.js'
import { SessionMetrics } from './metrics/SessionMetrics.js'
import { CloseCode, CLOSE_CODES, HandshakeParam, HandshakeQuery, PROTOCOL_VERSION } from '@scalable-chat/protocol'
import { RoomRegistry } from './room/RoomRegistry.js'

export interface SessionServerDeps {
  config: Config
  logger?: Logger
  /** Attach to this server (already listening or not) instead of creating one. */
  server?: Server
  /** Defaults to the HTTP internal API at `config.BACKEND_URL`. */
  backendApi?: BackendApi
  /** The room-token public key; default `ROOM_TOKEN_PUBLIC_KEY`, else fetched from the backend. */
  roomTokenKey?: KeyObject
  /** Defaults to a fresh registry of its own. */
  metrics?: SessionMetrics
  /**
   * Whether the backend already knows this server. `main.ts` registers before listening and says
   * so; `/readyz` answers 503 `not_registered` until `markRegistered()` otherwise.
   */
  registered?: boolean
  /**
   * Join the backend's fleet through this API: `registration.start()` registers and starts the
   * heartbeats, and `drain()` reports draining first and deregisters last. Omitted: no fleet.
   */
  fleet?: FleetApi
}

export interface SessionServer {
  server: Server
  rooms: RoomRegistry
  /** Present when `deps.fleet` was given; `main.ts` starts it. */
  registration: FleetRegistration | undefined
  /**
   * Graceful: report draining to the fleet, refuse new connections, store pending messages,
   * release rooms, close sockets with 1012, deregister.
   */
  drain(): Promise<void>
  metrics: SessionMetrics
  /** The backend accepted this server's registration: `/readyz` may answer 200. */
  markRegistered(): void
  /** Fetches the room-token key unless it is held already; false when the backend did not give it (handshakes retry). */
  loadRoomTokenKey(): Promise<boolean>
  /** Immediate: terminate every socket and stop timers, without talking to the backend. */
  close(): Promise<void>
}

export function createSessionServer(deps: SessionServerDeps): SessionServer {
  const { config } = deps
  const logger = deps.logger ?? pino({ level: 'silent' })
  const backendApi = deps.backendApi ?? new HttpBackendApi(config.BACKEND_URL, config.SERVICE_TOKEN)
  const metrics = deps.metrics ?? new SessionMetrics()
  const rooms = new RoomRegistry({
    metrics,
    backendApi,
    host: config.PUBLIC_HOST,
    rateLimiter: new SendRateLimiter({ messagesPerMinute: config.MESSAGE_RATE_PER_MINUTE, messageBurst: config.MESSAGE_BURST }),
    unloadGraceMs: config.ROOM_UNLOAD_GRACE_MS,
    logger,
    limits: {
      maxUsers: config.MAX_USERS_PER_ROOM,
      maxMessageLength: config.MAX_MESSAGE_LENGTH,
      maxBufferedBytes: config.MAX_BUFFERED_BYTES,
      typingTimeoutMs: config.TYPING_TIMEOUT_MS,
      presenceIntervalMs: config.PRESENCE_INTERVAL_MS,
      cursorIntervalMs: config.CURSOR_INTERVAL_MS,
      cursorIdleMs: config.CURSOR_IDLE_MS,
      boardSaveDelayMs: config.BOARD_SAVE_DELAY_MS,
      maxFrameBytes: config.MAX_PAYLOAD_BYTES,
    },
  })
  const verifier = new RoomTokenVerifier({
    publicHost: config.PUBLIC_HOST,
    key: deps.roomTokenKey ?? config.ROOM_TOKEN_PUBLIC_KEY,
    fetchKey: () => backendApi.roomTokenKey(),
    logger,
  })
  const frameLimiter = new FrameRateLimiter(config.FRAMES_PER_SECOND)
  const connectionLimits = new ConnectionLimits({
    perServer: config.MAX_CONNECTIONS,
    perUser: config.MAX_CONNECTIONS_PER_USER,
    perUserPerRoom: config.MAX_CONNECTIONS_PER_USER_PER_ROOM,
    connectsPerMinute: config.CONNECTS_PER_USER_PER_MINUTE,
  })
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: config.MAX_PAYLOAD_BYTES })
  const stopKeepAlive = startKeepAlive(wss, config.PING_INTERVAL_MS)
  metrics.observeRooms(rooms)
  let accepting = true
  let registered = deps.registered ?? false
  const handleHttpRequest = createHttpHandler({
    rooms,
    serviceToken: config.SERVICE_TOKEN,
    metrics,
    metricsToken: config.METRICS_TOKEN,
    notReady: () => (!accepting ? 'draining' : registered ? undefined : 'not_registered'),
    logger,
    basePath: basePathOf(config.PUBLIC_HOST),
  })
  const registration =
    deps.fleet &&
    new FleetRegistration({
      fleetApi: deps.fleet,
      host: config.PUBLIC_HOST,
      internalUrl: config.INTERNAL_URL,
      intervalMs: config.FLEET_HEARTBEAT_INTERVAL_MS,
      load: () => ({ rooms: rooms.size, members: rooms.memberCount }),
      logger,
    })
  const ownsServer = deps.server === undefined
  const server = deps.server ?? createServer()

  server.on('request', handleHttpRequest)
  // What every connection shares, made once (a connection keeps a reference, not copies).
  const services: SessionServices = { rooms, frameLimiter, logger, metrics }

  // No child logger per upgrade: the request id goes into the few lines an upgrade writes, and the
  // connection makes a child of its own only if it ever logs (see ClientSession).
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const reqId = requestIdFrom(req.headers['x-request-id'])
    // Without a listener, a client resetting the TCP connection mid-handshake would crash the
    // process. Removed once ws owns the socket (it listens for errors itself), so that an open
    // connection does not keep this closure.
    const onError = (error: Error) => logger.debug({ reqId, err: error }, 'upgrade socket error')
    socket.on('error', onError)
    handleUpgrade(req, socket, head, reqId, onError).catch((error: unknown) => {
      logger.error({ reqId, err: error }, 'upgrade failed')
      rejectHandshake(socket, 500, 'internal', 'internal error')
    })
  })

  /**
   * Refuses the upgrade, counting and logging why (never the URL: it carries the token). A user
   * over their connect rate is logged at `debug`: a script reconnecting in a loop would otherwise
   * write thousands of lines a second (the count is in `rejected_inputs_total`).
   */
  function refuse(socket: Duplex, reqId: string, status: number, code: string, message: string): void {
    metrics.reject(`handshake_${code}`)
    logger[status === 429 ? 'debug' : 'info']({ reqId, status, code }, 'handshake refused')
    rejectHandshake(socket, status, code, message)
  }

  async function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, reqId: string, onSocketError: (error: Error) => void): Promise<void> {
    if (!accepting) return refuse(socket, reqId, 503, 'draining', 'the server is restarting')
    // Any path is accepted: behind an ingress the address's path prefix may arrive stripped or
    // not, and the token (checked against PUBLIC_HOST), not the path, names the room and server.
    const query = HandshakeQuery.safeParse(Object.fromEntries(splitRequestTarget(req.url).query))
    if (!query.success) {
      return query.error.issues.some((issue) => issue.path[0] === HandshakeParam.TOKEN)
        ? refuse(socket, reqId, 401, 'unauthorized', 'a room token is required')
        : refuse(socket, reqId, 400, 'invalid_since', 'since must be a non-negative whole number')
    }
    const { token, since, v: version } = query.data
    const verdict = await verifier.verify(token)
    if (!verdict.ok && verdict.reason === 'no_key') return refuse(socket, reqId, 503, 'not_ready', 'the server is starting; try again')
    if (!verdict.ok) return refuse(socket, reqId, 401, 'unauthorized', 'the room token is invalid or expired')
    const { claims } = verdict
    // Reconnect churn costs a token check, an upgrade and a snapshot each time: a few a minute
    // is what a real client needs, so more are refused before any socket exists.
    if (!connectionLimits.tryConnect(claims.sub)) {
      return refuse(socket, reqId, 429, 'rate_limited', 'too many connections in a short time; try again in a minute')
    }
    if (socket.destroyed || !accepting) return refuse(socket, reqId, 503, 'draining', 'the server is restarting')
    wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('error', onSocketError)
      wss.emit('connection', ws, req)
      // Accepted then closed, because a browser cannot read the status of a refused upgrade.
      if (version !== String(PROTOCOL_VERSION)) {
        metrics.reject('protocol_mismatch')
        ws.close(CloseCode.PROTOCOL_MISMATCH, CLOSE_CODES[CloseCode.PROTOCOL_MISMATCH].reason)
        return
      }
      const admission = connectionLimits.admit(claims.sub, claims.roomId)
      if (!admission.ok) {
        metrics.reject(`connection_limit_${admission.limit}`)
        logger.info({ reqId, roomId: claims.roomId, userId: claims.sub, limit: admission.limit }, 'connection refused: limit reached')
        ws.close(admission.close, CLOSE_CODES[admission.close].reason)
        return
      }
      logger.info({ reqId, roomId: claims.roomId, userId: claims.sub, since }, 'connection accepted')
      new ClientSession(services, { ws, transport: socket, claims, since, slot: admission, reqId })
    })
  }

  function stopAccepting(): void {
    accepting = false
    stopKeepAlive()
  }

  return {
    server,
    rooms,
    metrics,
    markRegistered() {
      registered = true
    },
    async loadRoomTokenKey() {
      if (!verifier.hasKey) await verifier.refresh()
      return verifier.hasKey
    },
    registration,
    async drain() {
      await registration?.markDraining()
      stopAccepting()
      await rooms.drain()
      for (const ws of wss.clients) ws.close(CloseCode.SERVICE_RESTART, CLOSE_CODES[CloseCode.SERVICE_RESTART].reason)
      await registration?.deregister()
    },
    async close() {
      registration?.stop()
      stopAccepting()
      rooms.closeAll()
      for (const ws of wss.clients) ws.terminate()
      wss.close()
      server.off('request', handleHttpRequest)
      if (ownsServer && server.listening) {
        await new Promise<void>((resolve) => server.close(() => resolve()))
      }
    },
  }
}

/**
 * The path prefix of a URL address (`wss://edge.example.com/s/3` → `/s/3`), '' for `host:port`.
 * HTTP routes answer under it as well as at the root, so an ingress may strip it or not.
 */
function basePathOf(address: string): string {
  if (!/^wss?:\/\//i.test(address)) return ''
  return new URL(address).pathname.replace(/\/+$/, '')
}
