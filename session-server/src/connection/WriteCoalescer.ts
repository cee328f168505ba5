import type { Duplex } from 'node:stream'

/**
 * Holds every socket written to during one turn of the event loop and lets them go at its end
 * (`setImmediate`, after the poll phase), so that all the frames a socket got in that turn leave in
 * ONE `writev` instead of one system call each. On this kind of machine the system calls, not the
 * JSON, are most of what a broadcast costs: a stored batch is many frames to every member, and in a
 * reconnect storm every arriving member's `user_joined` reaches every member already back, joins
 * that the same turn handled by the dozen. A quiet server has one event per turn, so nothing waits
 * longer than it takes to finish the turn it is in.
 */
export class WriteCoalescer {
  private held = new Set<Duplex>()
  private scheduled = false

  /** Corks `socket` until the end of this turn, once however often it is called. */
  hold(socket: Duplex): void {
    if (this.held.has(socket)) return
    socket.cork()
    this.held.add(socket)
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(this.release)
    }
  }

  isHeld(socket: Duplex): boolean {
    return this.held.has(socket)
  }

  private readonly release = (): void => {
    const sockets = this.held
    this.held = new Set()
    this.scheduled = false
    // A socket closed meanwhile flushed on `end()`; uncorking it again does nothing.
    for (const socket of sockets) socket.uncork()
  }
}

/** One event loop per process, so one coalescer: every connection's socket is held by this one. */
export const eachTurn = new WriteCoalescer()
