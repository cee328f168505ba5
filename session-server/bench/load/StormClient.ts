/**
 * One client of the reconnect storm, behaving as the web client does (`client/src/room/connection/
 * SessionLink.ts` and its outbox), rebuilt here because the bench cannot import the client's code:
 *
 * - after a close it does what the protocol's close-code table says: re-join at once after a server
 *   went away (naming it as `failedHost`, with `rejoin=1`), after a jittered backoff otherwise;
 * - it connects with `since` = the latest seq it holds, and checks that what it receives, resumed
 *   snapshot and live messages alike, continues that seq by one each time: the bench sends only
 *   messages, and messages alone have gapless seqs, so anything else is a gap, a repeat or disorder;
 * - a sender keeps its unacknowledged sends and sends them again (same clientId) once back, as the
 *   web client's outbox does; one it finds in the resumed snapshot was stored before the cut and is
 *   acknowledged by it.
 */
import { closeCodeInfo } from '@scalable-chat/protocol/codes'
import { handshakeUrl } from '@scalable-chat/protocol/handshake-url'
import { WebSocket } from 'ws'
import type { Acknowledged } from '../tasks.js'
import type { BackendJoins } from './BackendJoins.js'
import { isErrorFrame, isMessageFrame, startsWith } from './connect.js'

const SNAPSHOT_PREFIX = Buffer.from('{"type":"snapshot"')
/** A refused send goes again after this long, as a person pressing "retry" would. */
const RETRY_REFUSED_MS = 1000
/** The web client's reconnect backoff (`client/src/room/connection/backoffDelay.ts`). */
const RECONNECT_BASE_DELAY_MS = 500
const RECONNECT_MAX_DELAY_MS = 10_000
/** Answers after which the web client stops reconnecting (and explains why). */
const FINAL_STATUSES = new Set([401, 403, 404, 410])

/** Equal jitter, as the web client: a random point in the upper half of the capped exponential. */
function backoffDelay(attempt: number): number {
  const ceiling = Math.min(RECONNECT_MAX_DELAY_MS, RECONNECT_BASE_DELAY_MS * 2 ** Math.max(0, attempt - 1))
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2))
}

/** What every client of one load process adds to. */
export interface StormTally {
  rejoins: number
  failedRejoins: number
  /** By close code (1006: the connection failed or dropped without one). */
  failedOpens: Record<string, number>
  refusedSends: number
  acknowledged: Acknowledged[]
  problem(text: string): void
}

interface StoredMessage {
  seq: number
  clientId: string
}
interface SnapshotFrame {
  seq: number
  resumed: boolean
  messages: StoredMessage[]
}

type State =
  | { kind: 'idle' }
  | { kind: 'joining' }
  | { kind: 'opening'; ws: WebSocket; host: string; attempt: number }
  | { kind: 'live'; ws: WebSocket; host: string }
  | { kind: 'waiting'; timer: NodeJS.Timeout }
  | { kind: 'gone' }
  | { kind: 'stopped' }

export class StormClient {
  private state: State = { kind: 'idle' }
  private lastSeq: number | undefined
  private wasLive = false
  private failedHost: string | undefined
  /** The host that served it when its live socket first closed. */
  private lostHost: string | undefined
  /** `Date.now()` at the first snapshot after that close. */
  backAt: number | undefined
  /** Unacknowledged sends, by clientId, in the order they were made. */
  private readonly pending = new Map<string, string>()
  private sent = 0
  private sendTimer: NodeJS.Timeout | undefined
  private settledWaiter: (() => void) | undefined
  private firstLive: { resolve: () => void; reject: (error: Error) => void } | undefined

  constructor(
    private readonly roomId: string,
    private readonly userToken: string,
    /** Unique among this round's clients: it names this client's clientIds. */
    private readonly name: string,
    private readonly joins: BackendJoins,
    private readonly tally: StormTally,
  ) {}

  /** Resolves at the first snapshot; rejects when the client gives up. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.firstLive = { resolve, reject }
      void this.connect(0)
    })
  }

  /** Cut off once, then back with a snapshot; or given up (a final close or answer). */
  get done(): boolean {
    return this.backAt !== undefined || this.state.kind === 'gone'
  }

  get wasCut(): boolean {
    return this.lostHost !== undefined
  }

  /** One new message every `intervalMs`, the first at a random point of the first interval (senders do not march in step). */
  startSending(intervalMs: number): void {
    this.sendTimer = setTimeout(() => {
      this.newMessage()
      this.sendTimer = setInterval(() => this.newMessage(), intervalMs)
    }, Math.random() * intervalMs)
  }

  /** Stops making messages; resolves once every one made is acknowledged. */
  stopSending(): Promise<void> {
    clearTimeout(this.sendTimer)
    clearInterval(this.sendTimer)
    return this.pending.size === 0 ? Promise.resolve() : new Promise((resolve) => (this.settledWaiter = resolve))
  }

  get unacknowledged(): number {
    return this.pending.size
  }

  stop(): void {
    clearTimeout(this.sendTimer)
    clearInterval(this.sendTimer)
    this.enter({ kind: 'stopped' })
  }

  private async connect(attempt: number): Promise<void> {
    const joining = this.enter({ kind: 'joining' })
    if (this.wasLive) this.tally.rejoins++
    const answer = await this.joins.join(this.roomId, this.userToken, { failedHost: this.failedHost, rejoin: this.wasLive })
    if (this.state !== joining) return
    if (!answer.ok) {
      if (this.wasLive) this.tally.failedRejoins++
      if (FINAL_STATUSES.has(answer.status)) return this.giveUp(`join answered ${answer.status}: ${answer.detail}`)
      return this.retryLater(attempt + 1)
    }
    const ws = new WebSocket(handshakeUrl({ host: answer.host, token: answer.token, since: this.lastSeq, secure: false }), {
      perMessageDeflate: false,
      // The load generator trusts the servers it measures: skipping UTF-8 validation keeps it cheap.
      skipUTF8Validation: true,
    })
    // An error (a refused connection or upgrade) is always followed by a close, which decides.
    ws.on('error', () => {})
    ws.on('message', (data: Buffer) => this.onFrame(ws, data))
    ws.on('close', (code) => this.onClose(ws, code))
    this.enter({ kind: 'opening', ws, host: answer.host, attempt })
  }

  private onFrame(ws: WebSocket, data: Buffer): void {
    const state = this.state
    if (!((state.kind === 'opening' || state.kind === 'live') && state.ws === ws)) return
    // Read the clock before parsing: the snapshot arrived now.
    const at = Date.now()
    if (startsWith(data, SNAPSHOT_PREFIX)) {
      if (state.kind === 'opening') this.onSnapshot(JSON.parse(data.toString()) as SnapshotFrame, state.host, ws, at)
    } else if (isMessageFrame(data)) {
      const { message } = JSON.parse(data.toString()) as { message: StoredMessage }
      this.onMessage(message, at)
    } else if (isErrorFrame(data)) {
      const { clientId } = JSON.parse(data.toString()) as { clientId?: string }
      if (clientId !== undefined && this.pending.has(clientId)) this.refused(clientId, ws)
    }
  }

  private onSnapshot(snapshot: SnapshotFrame, host: string, ws: WebSocket, at: number): void {
    if (this.lostHost !== undefined && this.backAt === undefined) {
      if (host === this.lostHost) this.tally.problem(`${this.name}: back on ${host}, the server that cut it off`)
      this.backAt = at
    }
    if (this.lastSeq !== undefined) this.checkResumed(snapshot)
    this.lastSeq = snapshot.seq
    // Stored before the cut, its acknowledgement lost with the connection: the snapshot is it.
    for (const message of snapshot.messages) this.acknowledge(message, at)
    this.failedHost = undefined
    this.wasLive = true
    this.enter({ kind: 'live', ws, host })
    this.firstLive?.resolve()
    this.firstLive = undefined
    // The rest again, in order, with their clientIds: the server stores each at most once.
    for (const frame of this.pending.values()) ws.send(frame)
  }

  /** A snapshot after a reconnect must continue exactly where this client was. */
  private checkResumed(snapshot: SnapshotFrame): void {
    const from = this.lastSeq! + 1
    const messages = snapshot.messages
    if (!snapshot.resumed) {
      // A latest page instead of a resume: fine as long as it reaches back to what the client lacks.
      const first = messages[0]?.seq ?? snapshot.seq + 1
      if (first > from) this.tally.problem(`${this.name}: a page from seq ${first} when it held up to ${from - 1}: a gap`)
      return
    }
    messages.forEach((message, i) => {
      if (message.seq !== from + i) this.tally.problem(`${this.name}: resumed after ${from - 1}, message ${i} has seq ${message.seq}`)
    })
    const end = messages.at(-1)?.seq ?? from - 1
    if (snapshot.seq !== end) this.tally.problem(`${this.name}: resumed snapshot at seq ${snapshot.seq} but its messages end at ${end}`)
  }

  private onMessage(message: StoredMessage, at: number): void {
    const last = this.lastSeq!
    if (message.seq === last + 1) this.lastSeq = message.seq
    else if (!(message.seq <= last && this.pending.has(message.clientId))) {
      // (A seq already held is fine only as the answer to this client's own re-send.)
      this.tally.problem(`${this.name}: seq ${message.seq} after ${last}: ${message.seq > last ? 'a gap' : 'a repeat or disorder'}`)
      this.lastSeq = Math.max(last, message.seq)
    }
    this.acknowledge(message, at)
  }

  private acknowledge(message: StoredMessage, at: number): void {
    if (!this.pending.delete(message.clientId)) return
    this.tally.acknowledged.push({ roomId: this.roomId, clientId: message.clientId, seq: message.seq, at })
    if (this.pending.size === 0) this.settledWaiter?.()
  }

  private refused(clientId: string, ws: WebSocket): void {
    this.tally.refusedSends++
    setTimeout(() => {
      const frame = this.pending.get(clientId)
      if (frame !== undefined && this.state.kind === 'live' && this.state.ws === ws) ws.send(frame)
    }, RETRY_REFUSED_MS)
  }

  private newMessage(): void {
    const clientId = `${this.name}-${this.sent++}`
    const frame = `{"type":"send","clientId":"${clientId}","text":"storm message ${clientId}"}`
    this.pending.set(clientId, frame)
    // Not live: it waits for the next snapshot, as the outbox does.
    if (this.state.kind === 'live') this.state.ws.send(frame)
  }

  private onClose(ws: WebSocket, code: number): void {
    const state = this.state
    if (!((state.kind === 'opening' || state.kind === 'live') && state.ws === ws)) return
    if (state.kind === 'live') this.lostHost ??= state.host
    else if (this.wasLive) this.tally.failedOpens[code] = (this.tally.failedOpens[code] ?? 0) + 1
    const policy = closeCodeInfo(code)
    // It never served us, or it crashed or is draining: the next join asks the backend to check it.
    if (state.kind === 'opening' || policy.serverGone) this.failedHost = state.host
    if (policy.reconnect === 'never') this.giveUp(`closed with ${code} (${policy.reason})`)
    else if (policy.reconnect === 'now' && state.kind === 'live') void this.connect(0)
    else this.retryLater(state.kind === 'live' ? 1 : state.attempt + 1)
  }

  private retryLater(attempt: number): void {
    const timer = setTimeout(() => void this.connect(attempt), backoffDelay(attempt))
    this.enter({ kind: 'waiting', timer })
  }

  private giveUp(why: string): void {
    this.tally.problem(`${this.name}: gave up: ${why}`)
    this.enter({ kind: 'gone' })
    this.firstLive?.reject(new Error(`${this.name}: ${why}`))
    this.firstLive = undefined
  }

  /** Every transition goes through here: it ends what the state it leaves owned (a retry timer, a socket). */
  private enter<S extends State>(next: S): S {
    const previous = this.state
    if (previous.kind === 'stopped') return next
    if (previous.kind === 'waiting') clearTimeout(previous.timer)
    if ((previous.kind === 'opening' || previous.kind === 'live') && !('ws' in next && next.ws === previous.ws)) {
      previous.ws.removeAllListeners('message')
      previous.ws.removeAllListeners('close')
      previous.ws.terminate()
    }
    this.state = next
    return next
  }
}
