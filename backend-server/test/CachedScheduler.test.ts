import { describe, expect, it } from 'vitest'
import { CachedScheduler } from '../src/scheduler/CachedScheduler.js'
import { PlacementError, PlacementErrorCode, type Placement, type PlaceRoomOptions, type Scheduler } from '../src/scheduler/index.js'

/** A Scheduler that records its calls and answers what the test tells it to. */
class RecordingScheduler implements Scheduler {
  readonly calls: { roomId: string; options: PlaceRoomOptions | undefined }[] = []
  readonly registered: string[] = []
  readonly left: string[] = []
  readonly released: string[] = []
  readonly deleted: string[] = []
  next: Placement | Error = { host: 'a:8000', epoch: 1 }
  /** While set, placeRoom answers only once it resolves: calls that overlap. */
  gate: Promise<void> | undefined

  async start() {}
  async stop() {}
  async placeRoom(roomId: string, options?: PlaceRoomOptions): Promise<Placement> {
    this.calls.push({ roomId, options })
    const answer = this.next
    await this.gate
    if (answer instanceof Error) throw answer
    return answer
  }
  async placementOf(): Promise<Placement | undefined> {
    return this.next instanceof Error ? undefined : this.next
  }
  async roomLoaded(): Promise<Placement | undefined> {
    return this.next instanceof Error ? undefined : this.next
  }
  async serverRegistered(host: string) {
    this.registered.push(host)
  }
  async serverLeft(host: string) {
    this.left.push(host)
  }
  async roomReleased(roomId: string) {
    this.released.push(roomId)
  }
  async roomDeleted(roomId: string) {
    this.deleted.push(roomId)
  }
}

const TTL_MS = 2000

/** A promise to hold the inner Scheduler's answers with, and what opens it (Node 20 has no Promise.withResolvers). */
function closedGate(): { gate: Promise<void>; open: () => void } {
  let open = () => {}
  const gate = new Promise<void>((resolve) => (open = resolve))
  return { gate, open }
}

function setup() {
  const inner = new RecordingScheduler()
  const clock = { time: 1_000_000, now() { return this.time } }
  const cached = new CachedScheduler(inner, { ttlMs: TTL_MS, clock })
  return { inner, clock, cached }
}

describe('CachedScheduler', () => {
  describe('#placeRoom', () => {
    it('answers a room placed within the TTL from memory, without asking the Scheduler again', async () => {
      const { inner, clock, cached } = setup()
      expect(await cached.placeRoom('room1')).toEqual({ host: 'a:8000', epoch: 1 })
      inner.next = { host: 'b:8000', epoch: 2 }
      clock.time += TTL_MS - 1
      expect(await cached.placeRoom('room1')).toEqual({ host: 'a:8000', epoch: 1 })
      expect(inner.calls).toHaveLength(1)
    })

    it('asks the Scheduler again once the TTL has passed', async () => {
      const { inner, clock, cached } = setup()
      await cached.placeRoom('room1')
      inner.next = { host: 'b:8000', epoch: 2 }
      clock.time += TTL_MS + 1
      expect(await cached.placeRoom('room1')).toEqual({ host: 'b:8000', epoch: 2 })
      expect(inner.calls).toHaveLength(2)
    })

    it('does NOT answer from memory when the client reports a failedHost, and remembers the fresh answer', async () => {
      const { inner, cached } = setup()
      await cached.placeRoom('room1')
      inner.next = { host: 'b:8000', epoch: 2 }
      expect(await cached.placeRoom('room1', { failedHost: 'a:8000' })).toEqual({ host: 'b:8000', epoch: 2 })
      expect(inner.calls.at(-1)).toEqual({ roomId: 'room1', options: { failedHost: 'a:8000' } })
      expect(await cached.placeRoom('room1')).toEqual({ host: 'b:8000', epoch: 2 })
      expect(inner.calls).toHaveLength(2)
    })

    it('answers from memory a failedHost that is NOT the remembered host: the room moved since, a fresh answer would be the same', async () => {
      const { inner, cached } = setup()
      inner.next = { host: 'b:8000', epoch: 2, previousHost: 'a:8000' }
      // The first client back from the crashed a:8000 moves the room…
      expect(await cached.placeRoom('room1', { failedHost: 'a:8000' })).toEqual({ host: 'b:8000', epoch: 2, previousHost: 'a:8000' })
      // …and the others reporting a:8000 get where it is now without asking again, and without
      // `previousHost`: the old host was told once, by the request that moved it.
      expect(await cached.placeRoom('room1', { failedHost: 'a:8000' })).toEqual({ host: 'b:8000', epoch: 2 })
      expect(await cached.placeRoom('room1')).toEqual({ host: 'b:8000', epoch: 2 })
      expect(inner.calls).toHaveLength(1)
    })

    it('keeps rooms apart', async () => {
      const { inner, cached } = setup()
      await cached.placeRoom('room1')
      inner.next = { host: 'b:8000', epoch: 1 }
      expect(await cached.placeRoom('room2')).toEqual({ host: 'b:8000', epoch: 1 })
    })

    it('asks the Scheduler once for joins of a room at once, and only the one that asked gets previousHost', async () => {
      const { inner, cached } = setup()
      const { gate, open } = closedGate()
      inner.gate = gate
      inner.next = { host: 'b:8000', epoch: 2, previousHost: 'a:8000' }
      const joins = [cached.placeRoom('room1', { userId: 'u1' }), cached.placeRoom('room1', { userId: 'u2' }), cached.placeRoom('room1', { userId: 'u3' })]
      open()
      expect(await Promise.all(joins)).toEqual([
        { host: 'b:8000', epoch: 2, previousHost: 'a:8000' },
        { host: 'b:8000', epoch: 2 },
        { host: 'b:8000', epoch: 2 },
      ])
      expect(inner.calls).toEqual([{ roomId: 'room1', options: { userId: 'u1' } }])
    })

    it('does NOT share an answer across failed hosts: each reported host is checked', async () => {
      const { inner, cached } = setup()
      const { gate, open } = closedGate()
      inner.gate = gate
      const joins = [cached.placeRoom('room1'), cached.placeRoom('room1', { failedHost: 'a:8000' }), cached.placeRoom('room1', { failedHost: 'a:8000' })]
      open()
      await Promise.all(joins)
      expect(inner.calls.map((call) => call.options?.failedHost)).toEqual([undefined, 'a:8000'])
    })

    it('answers a join that did not report the failed host with the move in flight, NOT the remembered dead host', async () => {
      const { inner, cached } = setup()
      await cached.placeRoom('room1')
      const { gate, open } = closedGate()
      inner.gate = gate
      inner.next = { host: 'b:8000', epoch: 2, previousHost: 'a:8000' }
      const reported = cached.placeRoom('room1', { failedHost: 'a:8000' })
      // Its report ignored (the per-user limit), or it never failed: it must not be sent to a:8000.
      const unreported = cached.placeRoom('room1')
      open()
      expect(await unreported).toEqual({ host: 'b:8000', epoch: 2 })
      expect(await reported).toEqual({ host: 'b:8000', epoch: 2, previousHost: 'a:8000' })
      expect(inner.calls).toHaveLength(2)
    })

    it("shares a failure, except another user's too_many_pending_rooms: that user's limit, so it asks for itself", async () => {
      const { inner, cached } = setup()
      const { gate, open } = closedGate()
      inner.gate = gate
      inner.next = new PlacementError(PlacementErrorCode.TOO_MANY_PENDING_ROOMS, 'u1 has too many')
      const first = cached.placeRoom('room1', { userId: 'u1' })
      const second = cached.placeRoom('room1', { userId: 'u2' })
      inner.next = { host: 'a:8000', epoch: 1 }
      open()
      await expect(first).rejects.toThrow('u1 has too many')
      expect(await second).toEqual({ host: 'a:8000', epoch: 1 })
      expect(inner.calls.map((call) => call.options?.userId)).toEqual(['u1', 'u2'])

      inner.next = new PlacementError(PlacementErrorCode.NO_SERVERS, 'no session server is available')
      const shared = [cached.placeRoom('room2', { userId: 'u1' }), cached.placeRoom('room2', { userId: 'u2' })]
      await expect(Promise.all(shared)).rejects.toThrow('no session server is available')
      await Promise.allSettled(shared)
      expect(inner.calls.filter((call) => call.roomId === 'room2')).toHaveLength(1)
    })

    it('remembers nothing when the Scheduler throws', async () => {
      const { inner, cached } = setup()
      inner.next = new Error('no servers')
      await expect(cached.placeRoom('room1')).rejects.toThrow('no servers')
      inner.next = { host: 'b:8000', epoch: 1 }
      expect(await cached.placeRoom('room1')).toEqual({ host: 'b:8000', epoch: 1 })
      expect(inner.calls).toHaveLength(2)
    })
  })

  describe('#roomReleased', () => {
    it('forgets the room at once (deleted or released through this replica) and tells the Scheduler', async () => {
      const { inner, cached } = setup()
      await cached.placeRoom('room1')
      await cached.roomReleased('room1', 'a:8000', 1)
      inner.next = { host: 'b:8000', epoch: 2 }
      expect(await cached.placeRoom('room1')).toEqual({ host: 'b:8000', epoch: 2 })
      expect(inner.released).toEqual(['room1'])
    })
  })

  describe('#roomDeleted', () => {
    it('forgets the room at once and lets the Scheduler free what it holds for it', async () => {
      const { inner, cached } = setup()
      await cached.placeRoom('room1')
      await cached.roomDeleted('room1')
      expect(inner.deleted).toEqual(['room1'])
      await cached.placeRoom('room1')
      expect(inner.calls).toHaveLength(2)
    })
  })

  describe.each([
    ['#serverRegistered', 'restarted empty', (cached: CachedScheduler) => cached.serverRegistered('a:8000'), (inner: RecordingScheduler) => inner.registered],
    ['#serverLeft', 'drained and left', (cached: CachedScheduler) => cached.serverLeft('a:8000'), (inner: RecordingScheduler) => inner.left],
  ] as const)('%s', (_method, what, call, told) => {
    it(`forgets every room on a server that ${what}, but NOT the rooms of other servers`, async () => {
      const { inner, cached } = setup()
      await cached.placeRoom('onA')
      inner.next = { host: 'b:8000', epoch: 1 }
      await cached.placeRoom('onB')
      await call(cached)
      expect(told(inner)).toEqual(['a:8000'])
      inner.next = { host: 'c:8000', epoch: 2 }
      expect(await cached.placeRoom('onA')).toEqual({ host: 'c:8000', epoch: 2 })
      expect(await cached.placeRoom('onB')).toEqual({ host: 'b:8000', epoch: 1 })
    })
  })

  describe('#placementOf', () => {
    it('always asks the Scheduler (a room about to be deleted needs the truth), NOT the memory', async () => {
      const { inner, cached } = setup()
      await cached.placeRoom('room1')
      inner.next = { host: 'b:8000', epoch: 2 }
      expect(await cached.placementOf('room1')).toEqual({ host: 'b:8000', epoch: 2 })
    })
  })

  it('refuses a TTL of 0, which lru-cache would read as "never expires"', () => {
    expect(() => new CachedScheduler(new RecordingScheduler(), { ttlMs: 0 })).toThrow(TypeError)
  })
})
