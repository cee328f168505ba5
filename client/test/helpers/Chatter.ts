/**
 * One simulated user for the crash and chaos tests: the REAL `ChatConnection` (with `ws` and
 * Node's `fetch`), sending messages at a steady pace while it is live and recording what the user
 * would have seen — which of its messages were acknowledged, and when it was live again after an
 * outage. Pending messages are the connection's own business: it re-sends them after reconnecting.
 */
import type { ChatMessage } from '@scalable-chat/backend-contract'
import { createApiClient, type ApiClient } from '../../src/api/createApiClient.js'
import { ChatConnection, type ChatState } from '../../src/room/connection/ChatConnection.js'
import { NodeWebSocket, PASSWORD, waitForState } from './connections.js'

export interface ChatterOptions {
  backendUrl: string
  username: string
  /** Time between two sends while live. */
  sendIntervalMs: number
  /** At most this many own messages unacknowledged at once (a person does not type ahead forever). */
  maxPending?: number
}

export class Chatter {
  readonly api: ApiClient
  userId = ''
  token = ''
  connection: ChatConnection | undefined
  /** clientIds of every message this user sent, in order. */
  readonly sent: string[] = []
  /** clientIds this user saw acknowledged (its own message, stored, in its view). */
  readonly acknowledged = new Set<string>()
  private readonly liveListeners = new Set<(at: number) => void>()
  private wasLive = false
  private seenMessages: readonly ChatMessage[] = []
  private timer: NodeJS.Timeout | undefined
  private sending = false
  private counter = 0

  private constructor(private readonly options: ChatterOptions) {
    this.api = createApiClient({ baseUrl: options.backendUrl, getToken: () => this.token || null })
  }

  static async register(options: ChatterOptions): Promise<Chatter> {
    const chatter = new Chatter(options)
    const auth = await chatter.api.register({ username: options.username, password: PASSWORD })
    chatter.token = auth.token
    chatter.userId = auth.user.id
    return chatter
  }

  get state(): ChatState {
    return this.connection!.getState()
  }

  get isLive(): boolean {
    return this.connection?.getState().status.kind === 'live'
  }

  /** Opens the room and resolves once live. */
  async join(roomId: string): Promise<void> {
    const connection = new ChatConnection({
      roomId,
      api: this.api,
      WebSocket: NodeWebSocket,
      secure: false,
    })
    this.connection = connection
    connection.subscribe(() => this.onChange(connection.getState()))
    connection.start()
    await this.until((s) => s.status.kind === 'live')
  }

  /** Starts sending one message every `sendIntervalMs` while live, until `stopSending`. */
  startSending(): void {
    this.sending = true
    this.timer = setInterval(() => this.sendOne(), this.options.sendIntervalMs)
  }

  stopSending(): void {
    this.sending = false
    clearInterval(this.timer)
  }

  /** Calls `listener(Date.now())` every time the connection becomes live again after being down. */
  onLive(listener: (at: number) => void): () => void {
    this.liveListeners.add(listener)
    return () => this.liveListeners.delete(listener)
  }

  /** Resolves once `predicate` holds for the connection's state. */
  until(predicate: (state: ChatState) => boolean): Promise<ChatState> {
    return waitForState(this.connection!, predicate)
  }

  /** Loads older pages until the view reaches the first message, as a user scrolling up would. */
  async loadAllHistory(): Promise<ChatMessage[]> {
    const connection = this.connection!
    while (connection.getState().history.hasMore) await connection.loadOlder()
    return connection.getState().messages
  }

  dispose(): void {
    this.stopSending()
    this.connection?.dispose()
  }

  private sendOne(): void {
    const connection = this.connection
    if (!this.sending || !connection || !this.isLive) return
    if (connection.getState().pending.length >= (this.options.maxPending ?? 3)) return
    const clientId = connection.send(`${this.options.username} #${++this.counter}`)
    if (clientId) this.sent.push(clientId)
  }

  private onChange(state: ChatState): void {
    // An own message in the view is an acknowledged one, whether it came live, in a resumed
    // snapshot or as the stored original answering a re-send (which may land mid-list).
    if (state.messages !== this.seenMessages) {
      this.seenMessages = state.messages
      for (const message of state.messages) if (message.userId === this.userId) this.acknowledged.add(message.clientId)
    }
    const live = state.status.kind === 'live'
    if (live && !this.wasLive) {
      const at = Date.now()
      for (const listener of this.liveListeners) listener(at)
    }
    this.wasLive = live
  }
}

/** Resolves once `predicate` holds, re-checked on every state change of any of `chatters`. */
export function whenAll(chatters: readonly Chatter[], predicate: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const unsubscribes: (() => void)[] = []
    const check = () => {
      if (!predicate()) return
      for (const unsubscribe of unsubscribes.splice(0)) unsubscribe()
      resolve()
    }
    for (const chatter of chatters) unsubscribes.push(chatter.connection!.subscribe(check))
    check()
  })
}

/** Resolves with the time each chatter is next live again, after it first went down. */
export function nextLiveTimes(chatters: readonly Chatter[]): Promise<number[]> {
  return Promise.all(
    chatters.map(
      (chatter) =>
        new Promise<number>((resolve) => {
          const off = chatter.onLive((at) => {
            off()
            resolve(at)
          })
        }),
    ),
  )
}

export interface Traffic {
  /** Messages acknowledged so far, all chatters together. */
  acknowledged(): number
  /**
   * Resolves once `count` messages are acknowledged, or when the traffic is over (the time limit
   * passed on a very slow machine): a test waiting for more traffic never hangs.
   */
  until(count: number): Promise<void>
  /** Like `until`, for any condition re-checked on every state change. */
  when(predicate: () => boolean): Promise<void>
  /** Whether some chatter has a message sent but not acknowledged yet: the moment to crash a server. */
  inFlight(): boolean
  /** Whether the time limit stopped the traffic before the test did. */
  readonly timedOut: boolean
  stop(): void
}

/** Every chatter sends until `stop()` or until `maxMs` passed, whichever comes first. */
export function startTraffic(chatters: readonly Chatter[], maxMs: number): Traffic {
  let timedOut = false
  let end: () => void = () => {}
  const over = new Promise<void>((resolve) => (end = resolve))
  const stop = () => {
    clearTimeout(deadline)
    for (const chatter of chatters) chatter.stopSending()
    end()
  }
  const deadline = setTimeout(() => {
    timedOut = true
    stop()
  }, maxMs)
  for (const chatter of chatters) chatter.startSending()
  const acknowledged = () => chatters.reduce((sum, c) => sum + c.acknowledged.size, 0)
  return {
    acknowledged,
    until: (count) => Promise.race([whenAll(chatters, () => acknowledged() >= count), over]),
    when: (predicate) => Promise.race([whenAll(chatters, predicate), over]),
    inFlight: () => chatters.some((c) => c.state.pending.length > 0),
    get timedOut() {
      return timedOut
    },
    stop,
  }
}
