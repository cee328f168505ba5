import { pino, type Logger } from 'pino'
import type { Config } from './config.js'

export type { Logger }

/**
 * Log lines are written to stdout in blocks of at least this many bytes (or every
 * `LOG_FLUSH_INTERVAL_MS`): one `write` per line was ~8 % of a session server's CPU in the
 * handshake benchmark (a "connection accepted" line per connection). pino flushes the block when
 * the process exits (a crash included); only a SIGKILL can lose it.
 */
export const LOG_BLOCK_BYTES = 4096
/** How long a line may wait for its block on a quiet server. */
export const LOG_FLUSH_INTERVAL_MS = 250

/** JSON lines by default; `LOG_FORMAT=pretty` uses pino-pretty (a root devDependency) for humans. */
export function createLogger(config: Pick<Config, 'LOG_LEVEL' | 'LOG_FORMAT'>): Logger {
  const options = {
    level: config.LOG_LEVEL,
    base: { service: 'session-server' },
    // Defence in depth: nothing should log these, but if an object carrying one slips in, hide it.
    redact: ['token', '*.token', 'password', '*.password', 'headers.authorization', 'req.headers.authorization', 'req.url', 'url'],
  }
  if (config.LOG_FORMAT === 'pretty') {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } },
    })
  }
  const destination = pino.destination({ dest: 1, minLength: LOG_BLOCK_BYTES, sync: false })
  setInterval(() => destination.flush(), LOG_FLUSH_INTERVAL_MS).unref()
  return pino(options, destination)
}
