/**
 * Runs one task in a fresh load-generator process (`loadWorker.ts`), so that the load never shares
 * an event loop with the harness or a server it measures, and no task inherits another's sockets.
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { FromWorker, type Task, type ToWorker } from './tasks.js'

const WORKER = fileURLToPath(new URL('./loadWorker.ts', import.meta.url))
/** A worker gets this long beyond its task's own timeout (setup and teardown) before it is killed. */
const WORKER_GRACE_MS = 60_000

/** `onReady` is for tasks that hold their load (`idle`, `flood`): measure, then it finishes. */
export function runWorker<R>(task: Task, onReady?: () => Promise<void>): Promise<R> {
  return new Promise((resolve, reject) => {
    const worker = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    const timer = setTimeout(() => {
      worker.kill('SIGKILL')
      reject(new Error(`load generator did not finish within ${task.timeoutMs + WORKER_GRACE_MS} ms`))
    }, task.timeoutMs + WORKER_GRACE_MS)
    let settled = false
    const settle = (fn: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      fn()
    }
    worker.on('message', (rawMessage) => {
      const message = FromWorker.safeParse(rawMessage)
      if (!message.success) return settle(() => reject(new Error(`unexpected message from the load generator: ${message.error.message}`)))
      const data = message.data
      switch (data.type) {
        case 'ready':
          void (onReady ?? (async () => {}))().then(
            () => worker.send({ type: 'finish' } satisfies ToWorker),
            (error: unknown) => settle(() => reject(error)),
          )
          return
        case 'result':
          return settle(() => resolve(data.result as R))
        case 'failed':
          return settle(() => reject(new Error(data.error)))
      }
    })
    worker.on('exit', (code) => settle(() => reject(new Error(`load generator exited (${code}) without a result`))))
    worker.send({ type: 'run', task } satisfies ToWorker)
  })
}
