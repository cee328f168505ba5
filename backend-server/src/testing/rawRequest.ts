import { connect } from 'node:net'

/** Request targets for bad-input batteries: ones `new URL(target, base)` throws on, and ones no HTTP client would send. */
export const BAD_REQUEST_TARGETS = [
  '//a:b',
  '//a:99999/api/me',
  '//[::1/healthz',
  'http://a:b/healthz',
  'http://[::1/api/rooms',
  '//',
  '*',
  '/%',
  '/%zz?%zz=%&token=%',
  '/api/rooms/%E0%A4%A?failedHost=%',
  '/../../etc/passwd',
  '/internal/rooms/../../api/me',
  '\\\\a\\b',
  `/${'a'.repeat(8000)}`,
]

/**
 * Sends one request with `target` verbatim as its request target over a raw TCP socket (HTTP
 * clients normalise or refuse odd targets such as `//a:b`) and resolves with the status code
 * answered, or 0 when the connection closed without one.
 *
 * @example await rawRequestStatus('127.0.0.1:8080', 'GET', '//a:b') // 404
 */
export function rawRequestStatus(host: string, method: string, target: string, headers: Record<string, string> = {}): Promise<number> {
  const [hostname, port] = [host.slice(0, host.lastIndexOf(':')), Number(host.slice(host.lastIndexOf(':') + 1))]
  const head = Object.entries({ host, connection: 'close', ...headers }).map(([name, value]) => `${name}: ${value}\r\n`).join('')
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    const socket = connect({ host: hostname, port }, () => socket.end(`${method} ${target} HTTP/1.1\r\n${head}\r\n`))
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    // A reset after the answer (servers destroy the socket after a 400) is not a failure; with no answer, 0.
    socket.on('error', () => {})
    socket.on('close', () => resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(Buffer.concat(chunks).toString('latin1'))?.[1] ?? 0)))
  })
}
