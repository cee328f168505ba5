/**
 * The terminal client in this process, for tests: `runChat` on PassThrough streams against a real
 * stack whose session server publishes a full `ws://…/s/terminal` URL, as a fleet behind one
 * ingress publishes it.
 */
import { PassThrough } from 'node:stream'
import { startTestStack, type TestStack } from '@scalable-chat/session-server/testing'
import { runChat } from '../../cli/runChat.js'
import type { SocketConstructor } from '../../src/room/connection/ChatConnection.js'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { disposeConnections, PASSWORD } from './connections.js'

/** The stack the terminal tests run against; people's limits are lifted (the tests type fast, and make rooms). */
export function startTerminalStack(): Promise<TestStack> {
  return startTestStack({
    address: (port) => `ws://127.0.0.1:${port}/s/terminal`,
    sessionEnv: { MESSAGE_RATE_PER_MINUTE: '100000', MESSAGE_BURST: '10000', FRAMES_PER_SECOND: '10000' },
    // Every test makes a room or two, and they stay placed for the unload grace period.
    backend: { overrides: { maxRoomsPerServer: 1000 } },
  })
}

/**
 * A test file's terminal stack, started before its tests and closed after them; CLIs' inputs are
 * ended and web-client connections disposed after each test. Read `stack` inside tests.
 */
export function useTerminalStack(): { readonly stack: TestStack } {
  let stack: TestStack | undefined
  beforeAll(async () => {
    stack = await startTerminalStack()
  })
  afterAll(() => stack?.close())
  afterEach(() => {
    endClis()
    disposeConnections()
  })
  return {
    get stack() {
      if (!stack) throw new Error('useTerminalStack: the stack starts in beforeAll; read it inside a test')
      return stack
    },
  }
}

/** The room id in the CLI's room header. */
export const roomIdIn = (text: string) => /room (\S+) ·/.exec(text)?.[1]

/** Inputs of CLIs still running, ended after each test. */
const inputs: PassThrough[] = []
/** Ends the input of every CLI still running (after each test). */
export function endClis(): void {
  for (const input of inputs.splice(0)) input.end()
}

/** runChat on streams: `type` a line, `waitFor` text in what it printed, `exit` its exit code. */
export function startCli(
  argv: string[],
  env: Record<string, string> = { CHAT_PASSWORD: PASSWORD },
  socket?: SocketConstructor,
  /** `tty`: streams that say they are a terminal, so readline reads keystrokes (typing, idle). */
  terminal: { tty?: boolean; awayAfterMs?: number } = {},
) {
  const input = Object.assign(new PassThrough(), terminal.tty ? { isTTY: true } : {})
  const output = Object.assign(new PassThrough(), terminal.tty ? { isTTY: true, columns: 100 } : {})
  let text = ''
  const watchers = new Set<() => void>()
  output.on('data', (chunk: Buffer) => {
    text += chunk.toString()
    for (const watcher of watchers) watcher()
  })
  const exit = runChat({
    argv,
    env,
    input,
    output,
    ...(socket ? { WebSocket: socket } : {}),
    ...(terminal.awayAfterMs !== undefined ? { awayAfterMs: terminal.awayAfterMs } : {}),
  })
  inputs.push(input)
  let exited = false
  void exit.finally(() => {
    exited = true
    for (const watcher of watchers) watcher()
  })

  return {
    exit,
    input,
    get text() {
      return text
    },
    type(line: string) {
      input.write(`${line}\n`)
    },
    /** Resolves with the first match after `from` (an offset into the output); fails if the CLI exits first. */
    waitFor(pattern: RegExp | string, from = 0): Promise<string> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const rest = text.slice(from)
          const match = typeof pattern === 'string' ? (rest.includes(pattern) ? pattern : null) : pattern.exec(rest)?.[0]
          if (match != null) {
            watchers.delete(check)
            resolve(match)
          } else if (exited) {
            watchers.delete(check)
            reject(new Error(`the CLI exited before printing ${pattern}; it printed:\n${text}`))
          }
        }
        watchers.add(check)
        check()
      })
    },
  }
}

