import type { RequestHandler } from 'express'
import type { Logger } from 'pino'

/** One line per request when it finishes; the URL only (never headers: they carry tokens). */
export function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint()
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      // A 500 is logged with its error by the error handler; 503s (no capacity) deserve a warning.
      const level = res.statusCode >= 500 ? 'warn' : 'debug'
      logger[level]({ method: req.method, url: req.originalUrl, status: res.statusCode, ms: Math.round(ms) }, 'request')
    })
    next()
  }
}
