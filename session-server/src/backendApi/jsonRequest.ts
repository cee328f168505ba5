import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'

export interface JsonResponse {
  status: number
  /** The whole body, read to the end (so the connection goes back to the pool). */
  body: Buffer
}

export interface JsonRequestOptions {
  method: 'GET' | 'POST' | 'PUT'
  headers: Record<string, string>
  body?: string | undefined
  /** The request fails when the backend sends nothing for this long. */
  timeoutMs: number
}

/**
 * Keep-alive pools for the backend's internal API: every group commit is one request, on the path
 * between a message arriving and anyone seeing it, so a fresh TCP connection per commit would add
 * a handshake to every message's latency. Plain `node:http` rather than `fetch`: undici's fetch
 * (WHATWG Headers, streams, an AbortSignal timer per request) cost ~40 µs per delivery at one
 * message in flight, several times what the request itself needs. Requests to one backend are
 * never pipelined (each waits for a free socket), so a slow commit cannot hold up another's answer.
 */
const agents = {
  'http:': new HttpAgent({ keepAlive: true }),
  'https:': new HttpsAgent({ keepAlive: true }),
} as const

/** One request with a JSON (or empty) body; rejects on a network error or timeout, resolves on any HTTP status. */
export function jsonRequest(url: URL, options: JsonRequestOptions): Promise<JsonResponse> {
  const secure = url.protocol === 'https:'
  const send = secure ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: options.method,
        agent: agents[secure ? 'https:' : 'http:'],
        headers: options.body === undefined ? options.headers : { ...options.headers, 'content-length': Buffer.byteLength(options.body) },
        timeout: options.timeoutMs,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) }))
        res.on('error', reject)
      },
    )
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)))
    req.on('error', reject)
    req.end(options.body)
  })
}
