import type { WebSocket, WebSocketServer } from 'ws'

/**
 * WebSocket keep-alive: pings every client each `intervalMs` (`PING_INTERVAL_MS`); one that has not
 * answered the previous ping by the next round is terminated. Catches half-open TCP connections (a
 * laptop that went to sleep), which would otherwise stay members of their room forever. (Not the
 * fleet heartbeat, which reports this server's load to the backend: `fleet/FleetRegistration.ts`.)
 */
export function startKeepAlive(wss: WebSocketServer, intervalMs: number): () => void {
  const awaitingPong = new WeakSet<WebSocket>()
  // One listener for every socket (ws calls it with the socket as `this`), not a closure each.
  function onPong(this: WebSocket): void {
    awaitingPong.delete(this)
  }
  const onConnection = (ws: WebSocket) => ws.on('pong', onPong)
  wss.on('connection', onConnection)
  const timer = setInterval(() => {
    for (const ws of wss.clients) {
      if (awaitingPong.has(ws)) {
        ws.terminate()
        continue
      }
      awaitingPong.add(ws)
      ws.ping()
    }
  }, intervalMs)
  timer.unref()
  return () => {
    clearInterval(timer)
    wss.off('connection', onConnection)
  }
}
