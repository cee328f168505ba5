/**
 * A barrier between the harness and its load processes: every worker says `ready` at each phase
 * (`arrive`, its `onReady`), the harness waits until all have (`whenAllReached`), does its part
 * (a measurement, a kill) and lets them on (`open`). Used by the memory and storm workloads.
 */
/** Where each worker is: `reached[p]` resolves once every worker said `ready` for the p-th time, and each waits until `open(p)`. */
export class Phases {
  private readonly arrivals: number[] = []
  private readonly reached: Array<{ promise: Promise<void>; resolve: () => void }> = []
  private readonly gates: Array<{ promise: Promise<void>; resolve: () => void }> = []

  constructor(private readonly workers: number) {}

  /** The `onReady` of worker `w`. */
  arrive(w: number): Promise<void> {
    const phase = (this.arrivals[w] = (this.arrivals[w] ?? -1) + 1)
    if (this.arrivals.filter((a) => a >= phase).length === this.workers) this.slot(this.reached, phase).resolve()
    return this.slot(this.gates, phase).promise
  }

  whenAllReached(phase: number): Promise<void> {
    return this.slot(this.reached, phase).promise
  }

  open(phase: number): void {
    this.slot(this.gates, phase).resolve()
  }

  /** Lets every worker through the first `phases` gates (a round that failed: they finish and exit). */
  openAll(phases: number): void {
    for (let p = 0; p < phases; p++) this.open(p)
  }

  private slot(list: Array<{ promise: Promise<void>; resolve: () => void }>, phase: number) {
    let entry = list[phase]
    if (!entry) {
      let resolve: () => void = () => {}
      const promise = new Promise<void>((r) => (resolve = r))
      entry = list[phase] = { promise, resolve }
    }
    return entry
  }
}
