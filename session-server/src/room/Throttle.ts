/**
 * Runs `fire` at most once per `intervalMs`, leading edge: a request runs it at once when its
 * last effective run is that long ago, otherwise once it is (however many requests came
 * meanwhile: they share that one run). `fire` says whether it did anything; a run that did not
 * does not start a new interval.
 */
export class Throttle {
  private lastAt = -Infinity
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly intervalMs: number,
    private readonly fire: () => boolean,
  ) {}

  request(): void {
    if (this.timer) return
    const wait = this.lastAt + this.intervalMs - Date.now()
    if (wait <= 0) return this.run()
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.run()
    }, wait)
  }

  /** Runs now, interval or not (a pending run still comes, and finds less or nothing to do). */
  now(): void {
    this.run()
  }

  stop(): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private run(): void {
    if (this.fire()) this.lastAt = Date.now()
  }
}
