// Not re-exported; used by logger.ts and its test.
import { writeSync } from 'node:fs'

/** How long a write waits before trying again when the reader is behind (EAGAIN on a non-blocking fd). */
const BUSY_RETRY_MS = 1

/**
 * Where pino writes log lines: the lines of one turn of the event loop go out together at its end,
 * in one synchronous `write(2)`. A line per request is one write per request otherwise, and each
 * wakes whatever reads the pipe (a container's log driver; the benchmark's harness): under load,
 * several requests end in the same turn and share one write. A line waits for the current turn to end,
 * never longer; lines still waiting when the process exits are written on `exit`.
 *
 * Not pino's default (sonic-boom, asynchronous): that hands every write to libuv's thread pool
 * and back, 120–165 µs of CPU per line when lines come one at a time (a 2-core VM, stdout a pipe)
 * against 35–55 µs written synchronously, as Node itself writes `process.stdout` to a pipe.
 * The price of synchronous writes: a reader that stops reading stops the process once the pipe is
 * full, as it would `console.log`.
 */
export class StdoutBatcher {
  private pending: string[] = []
  private scheduled = false
  /** Set when the reader went away (EPIPE): nothing is written after. */
  private closed = false

  constructor(private readonly fd = 1) {
    process.once('exit', () => this.flush())
  }

  write(line: string): void {
    if (this.closed) return
    this.pending.push(line)
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => this.flush())
  }

  /** Writes what is waiting now. */
  flush(): void {
    this.scheduled = false
    if (this.pending.length === 0 || this.closed) return
    let data = Buffer.from(this.pending.join(''))
    this.pending = []
    while (data.length > 0) {
      try {
        data = data.subarray(writeSync(this.fd, data))
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code === 'EAGAIN') {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, BUSY_RETRY_MS)
          continue
        }
        // As pino's own destination: logging never takes the process down. A reader that went
        // away (EPIPE) is gone for good; anything else loses this batch only.
        if (code === 'EPIPE') this.closed = true
        return
      }
    }
  }
}
