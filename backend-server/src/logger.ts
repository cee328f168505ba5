import { pino, type DestinationStream, type Logger } from 'pino'
import type { BackendConfig } from './config.js'
import { StdoutBatcher } from './StdoutBatcher.js'

export type { Logger }

/**
 * JSON lines to stdout by default, each turn's lines in one write (`StdoutBatcher`, which says why
 * not pino's default destination); `LOG_FORMAT=pretty` uses pino-pretty (a root devDependency, so
 * dev only).
 */
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
  return pino(options, new StdoutBatcher())
}
