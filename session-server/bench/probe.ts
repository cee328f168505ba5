/**
 * Preloaded (`--import`) into every measured server process, the project's and the baseline's
 * alike: on a `probe` request over the IPC channel it runs a full GC (when `--expose-gc` is on) and
 * answers with RSS, heap (used, and external: Buffers) and CPU time (`probe-cpu`: the same without the GC). Collecting first makes the memory figure what connections
 * RETAIN, not whatever garbage their handshakes left behind, which would favour whichever server
 * happened to collect last.
 */
import type { ProbeReply } from './tasks.js'

const gc = (globalThis as { gc?: () => void }).gc

if (process.send) {
  process.on('message', (message: unknown) => {
    if (message !== 'probe' && message !== 'probe-cpu') return
    // A CPU reading around a workload must not include a GC the probe itself caused.
    if (message === 'probe') {
      gc?.()
      gc?.()
    }
    const cpu = process.cpuUsage()
    const memory = process.memoryUsage()
    process.send?.({ type: 'probe', rss: memory.rss, heapUsed: memory.heapUsed, external: memory.external, cpuUs: cpu.user + cpu.system } satisfies ProbeReply)
  })
  // The channel must not keep a server alive that would otherwise exit (e.g. after a drain).
  process.channel?.unref()
}
