import { afterEach } from 'vitest'
import type { Chatter } from './Chatter.js'
import type { ServiceProcess } from './serviceProcesses.js'

/**
 * What a process-level test (crash, chaos) starts, torn down after each test whatever happened:
 * chatters disposed, every service still tracked killed with SIGKILL (these tests kill anyway, and
 * a graceful stop could hang on a half-dead peer), then the other cleanups in order.
 * Call once at the top level of a test file.
 */
export function trackServices() {
  const running: ServiceProcess[] = []
  const chatters: Chatter[] = []
  const cleanups: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const chatter of chatters.splice(0)) chatter.dispose()
    await killAll()
    for (const cleanup of cleanups.splice(0)) await cleanup()
  })

  function killAll(): Promise<unknown> {
    return Promise.all(running.splice(0).map((service) => service.kill('SIGKILL')))
  }

  return {
    chatters,
    cleanups,
    killAll,
    async track(service: Promise<ServiceProcess>): Promise<ServiceProcess> {
      const started = await service
      running.push(started)
      return started
    },
    /** The test stops this one itself (a kill or a drain it measures). */
    forget(service: ServiceProcess): void {
      running.splice(running.indexOf(service), 1)
    },
  }
}
