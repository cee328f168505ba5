/**
 * One run of some work per key at a time: a caller asking while a run for its key is in flight
 * gets that run's promise instead of starting another; the key is free again once it settles.
 * Every client of a dead server reports it at once, and many first joins of a room arrive together.
 */
export class SharedRuns<T> {
  private readonly running = new Map<string, Promise<T>>()

  run(key: string, work: () => Promise<T>): Promise<T> {
    let run = this.running.get(key)
    if (run === undefined) {
      run = work().finally(() => this.running.delete(key))
      this.running.set(key, run)
    }
    return run
  }
}
