import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../src/logger.js'

describe('createLogger', () => {
  it('writes JSON lines to stdout synchronously, not through the thread pool', () => {
    const logger = createLogger({ logLevel: 'info', logFormat: 'json' })
    const stream = (logger as unknown as Record<symbol, { fd?: number; sync?: boolean }>)[pino.symbols.streamSym]
    expect(stream).toMatchObject({ fd: 1, sync: true })
  })
})
