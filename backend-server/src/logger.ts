import { pino, type Logger } from 'pino'
import type { BackendConfig } from './config.js'

export type { Logger }

/** JSON lines by default; `LOG_FORMAT=pretty` uses pino-pretty (a root devDependency, so dev only). */
export function createLogger(config: Pick<BackendConfig, 'logLevel' | 'logFormat'>): Logger {
  return pino({
    name: 'backend',
    level: config.logLevel,
    // Tokens travel in headers; make sure a logged request can never leak one.
    redact: ['req.headers.authorization', 'headers.authorization', 'password', 'token'],
    ...(config.logFormat === 'pretty'
      ? { transport: { target: 'pino-pretty', options: { colorize: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : {}),
  })
}
