import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const LOGGER = fileURLToPath(new URL('../src/logger.ts', import.meta.url))

/** Runs `script` in a fresh Node (tsx) with `createLogger` in scope; its stdout as lines. */
function run(script: string): string[] {
  const source = `import { createLogger } from ${JSON.stringify(LOGGER)}\n${script}`
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], { encoding: 'utf8' })
  expect(child.stderr).toBe('')
  return child.stdout.split('\n').filter((line) => line !== '')
}

describe('createLogger', () => {
  it('writes every line, in order, when the process exits right after logging (lines wait for their block)', () => {
    const lines = run(`
      const logger = createLogger({ logLevel: 'info', logFormat: 'json' })
      logger.info('one'); logger.info('two')
      setImmediate(() => { logger.info('three'); process.exit(0) })
    `)
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['one', 'two', 'three'])
  })
})
