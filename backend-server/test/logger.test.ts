import { spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../src/logger.js'
import { StdoutBatcher } from '../src/StdoutBatcher.js'

const LOGGER = fileURLToPath(new URL('../src/logger.ts', import.meta.url))

/** Runs `script` in a fresh Node (tsx) with `createLogger` in scope; its stdout as lines. */
function run(script: string): string[] {
  const source = `import { createLogger } from ${JSON.stringify(LOGGER)}\n${script}`
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], { encoding: 'utf8' })
  expect(child.stderr).toBe('')
  return child.stdout.split('\n').filter((line) => line !== '')
}

describe('createLogger', () => {
  it('writes to stdout through a StdoutBatcher', () => {
    const logger = createLogger({ logLevel: 'info', logFormat: 'json' })
    expect((logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym]).toBeInstanceOf(StdoutBatcher)
  })

  it('writes every line, in order, once the turn ends and when the process exits right after logging', () => {
    const lines = run(`
      const logger = createLogger({ logLevel: 'info', logFormat: 'json' })
      logger.info('one'); logger.info('two')
      setImmediate(() => { logger.info('three'); process.exit(0) })
    `)
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['one', 'two', 'three'])
  })
})

describe('StdoutBatcher', () => {
  it('writes nothing until the turn ends, then the turn\'s lines in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stdout-batcher-'))
    const fd = openSync(join(dir, 'log'), 'w+')
    try {
      const batcher = new StdoutBatcher(fd)
      batcher.write('a\n')
      batcher.write('b\n')
      expect(readFileSync(join(dir, 'log'), 'utf8')).toBe('')
      await new Promise((resolve) => setImmediate(resolve))
      expect(readFileSync(join(dir, 'log'), 'utf8')).toBe('a\nb\n')
    } finally {
      closeSync(fd)
      rmSync(dir, { recursive: true })
    }
  })

  it('does NOT throw when the write fails (a bad fd): logging never takes the process down', async () => {
    const batcher = new StdoutBatcher(-1)
    batcher.write('lost\n')
    expect(() => batcher.flush()).not.toThrow()
  })
})
