import type { HeartbeatRequest } from '@scalable-chat/backend-contract/internal'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import type { BackendResult, FleetApi } from '../src/backendApi/BackendApi.js'
import { FleetRegistration, FleetRegistrationRejected } from '../src/fleet/FleetRegistration.js'

const ok: BackendResult<void> = { ok: true, value: undefined }

/** A scripted fleet API: answers `register` from `registerAnswers` (then ok), records every call. */
class ScriptedFleet implements FleetApi {
  readonly calls: Array<{ type: 'register' | 'deregister'; host: string } | ({ type: 'heartbeat' } & HeartbeatRequest)> = []
  private waiters: Array<() => void> = []
  constructor(private readonly registerAnswers: BackendResult<void>[] = []) {}

  async register(host: string) {
    this.calls.push({ type: 'register', host })
    this.notify()
    return this.registerAnswers.shift() ?? ok
  }
  async heartbeat(report: HeartbeatRequest) {
    this.calls.push({ type: 'heartbeat', ...report })
    this.notify()
    return ok
  }
  async deregister(host: string) {
    this.calls.push({ type: 'deregister', host })
    this.notify()
    return ok
  }
  /** Resolves once `check` holds for the calls so far. */
  until(check: (calls: ScriptedFleet['calls']) => boolean): Promise<void> {
    return new Promise((resolve) => {
      const attempt = () => {
        if (!check(this.calls)) return
        this.waiters = this.waiters.filter((w) => w !== attempt)
        resolve()
      }
      this.waiters.push(attempt)
      attempt()
    })
  }
  private notify() {
    for (const waiter of [...this.waiters]) waiter()
  }
}

function registration(fleet: ScriptedFleet, load = { rooms: 2, members: 7 }) {
  return new FleetRegistration({ fleetApi: fleet, host: 'h:1', intervalMs: 10, load: () => load, logger: pino({ level: 'silent' }) })
}

describe('FleetRegistration', () => {
  it('retries registering while the backend is unavailable, then reports its load in heartbeats', async () => {
    const fleet = new ScriptedFleet([{ ok: false, reason: 'unavailable', detail: 'ECONNREFUSED' }])
    const member = registration(fleet)
    await member.start()
    await fleet.until((calls) => calls.some((c) => c.type === 'heartbeat'))
    member.stop()
    expect(fleet.calls.slice(0, 2)).toEqual([{ type: 'register', host: 'h:1' }, { type: 'register', host: 'h:1' }])
    expect(fleet.calls[2]).toEqual({ type: 'heartbeat', host: 'h:1', rooms: 2, members: 7, draining: false })
  })

  it('gives up at once when the backend refuses it (a wrong service token), without heartbeats', async () => {
    const fleet = new ScriptedFleet([{ ok: false, reason: 'rejected', detail: 'HTTP 401' }])
    await expect(registration(fleet).start()).rejects.toBeInstanceOf(FleetRegistrationRejected)
    expect(fleet.calls).toEqual([{ type: 'register', host: 'h:1' }])
  })

  it('reports draining at once, then deregisters', async () => {
    const fleet = new ScriptedFleet()
    const member = registration(fleet)
    await member.start()
    await member.markDraining()
    expect(fleet.calls.at(-1)).toMatchObject({ type: 'heartbeat', draining: true })
    await member.deregister()
    expect(fleet.calls.at(-1)).toEqual({ type: 'deregister', host: 'h:1' })
  })
})
