import { pino, type Logger } from 'pino'
import type { Config } from './config.js'

export type { Logger }

/** JSON lines by default; `LOG_FORMAT=pretty` uses pino-pretty (a root devDependency) for humans. */
export function createLogger(config: Pick<Config, 'LOG_LEVEL' | 'LOG_FORMAT'>): Logger {
  return pino({
    level: config.LOG_LEVEL,
    base: { service: 'session-server' },
    // Defence in depth: nothing should log these, but if an object carrying one slips in, hide it.
    redact: ['token', '*.token', 'password', '*.password', 'headers.authorization', 'req.headers.authorization', 'req.url', 'url'],
    ...(config.LOG_FORMAT === 'pretty'
      ? { transport: { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } }
      : {}),
  })
}
