import { pino, type DestinationStream, type Logger } from 'pino'
import type { BackendConfig } from './config.js'

export type { Logger }

/**
 * Log lines go to stdout in blocks of at least this many bytes (or every `LOG_FLUSH_INTERVAL_MS`),
 * as the session server writes its own: a write per line goes through libuv's thread pool and back,
 * 120–165 µs of CPU each on a 2-core VM with stdout a pipe. pino writes what is left when the
 * process exits (a crash included); only a SIGKILL can lose the last block.
 */
export const LOG_BLOCK_BYTES = 4096
/** How long a line may wait for its block on a quiet server. */
export const LOG_FLUSH_INTERVAL_MS = 250

/** JSON lines by default; `LOG_FORMAT=pretty` uses pino-pretty (a root devDependency, so dev only). */
export function createLogger(
  config: Pick<BackendConfig, 'logLevel' | 'logFormat'>,
  /** Where JSON lines go instead of stdout (tests read them back). */
  destination?: DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    name: 'backend',
    level: config.logLevel,
    // Tokens travel in headers; make sure a logged request can never leak one.
    // Request lines carry only method, URL (query tokens redacted) and status; these paths catch
    // any object that still slips a secret into a log call.
    redact: [
      'req.headers.authorization',
      'req.headers.cookie',
      'headers.authorization',
      'password',
      '*.password',
      'token',
      '*.token',
    ],
    ...(config.logFormat === 'pretty' && !destination
      ? { transport: { target: 'pino-pretty', options: { colorize: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : {}),
  }
  if (destination) return pino(options, destination)
  if (options.transport) return pino(options)
  const stdout = pino.destination({ dest: 1, minLength: LOG_BLOCK_BYTES, sync: false })
  setInterval(() => stdout.flush(), LOG_FLUSH_INTERVAL_MS).unref()
  return pino(options, stdout)
}
