/**
 * A load-generator process, forked by `run.ts` so that the load never shares an event loop with
 * the server it measures. It runs one task it is sent over IPC, answers with the result, and exits.
 */
import { openCursorRoom } from './load/cursors.js'
import { openDrawingRoom } from './load/edits.js'
import { runFanout } from './load/fanout.js'
import { runHandshakes } from './load/handshakes.js'
import { startFlood } from './load/flood.js'
import { runStorm } from './load/storm.js'
import { holdIdle } from './load/idle.js'
import { runJoins } from './load/joins.js'
import { ToWorker, type FromWorker, type Task } from './tasks.js'

const reply = (message: FromWorker) => new Promise<void>((resolve) => process.send!(message, () => resolve()))

async function run(task: Task): Promise<void> {
  switch (task.kind) {
    case 'fanout':
      return reply({ type: 'result', result: await runFanout(task) })
    case 'joins':
      return reply({ type: 'result', result: await runJoins(task) })
    case 'handshakes':
      return reply({ type: 'result', result: await runHandshakes(task) })
    case 'flood': {
      const flood = await startFlood(task)
      await measured()
      return reply({ type: 'result', result: await flood.finish() })
    }
    case 'cursors': {
      const room = await openCursorRoom(task)
      // The harness reads the server's CPU time before and after the moves, not the joins.
      await measured()
      await room.move()
      await measured()
      return reply({ type: 'result', result: await room.close() })
    }
    case 'edits': {
      const room = await openDrawingRoom(task)
      await measured()
      await room.draw()
      await measured()
      return reply({ type: 'result', result: await room.close() })
    }
    case 'storm':
      return reply({ type: 'result', result: await runStorm(task, measured) })
    case 'idle':
      return reply({ type: 'result', result: await holdIdle(task, measured) })
  }
}

/** Says `ready`, and resolves when the harness says `finish`: it has measured the servers meanwhile. */
function measured(): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (raw: unknown) => {
      if (ToWorker.safeParse(raw).data?.type !== 'finish') return
      process.off('message', onMessage)
      resolve()
    }
    process.on('message', onMessage)
    void reply({ type: 'ready' })
  })
}

if (!process.send) throw new Error('loadWorker.ts is forked by run.ts, with an IPC channel')
process.once('message', (raw) => {
  const message = ToWorker.safeParse(raw)
  const task = message.success && message.data.type === 'run' ? message.data.task : undefined
  const done = task === undefined ? Promise.reject(new Error('expected a run message')) : run(task)
  done
    .catch((error: unknown) => reply({ type: 'failed', error: error instanceof Error ? error.message : String(error) }))
    .finally(() => process.exit(0))
})
