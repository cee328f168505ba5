import { CloseCode } from '@scalable-chat/protocol'
import { ConnectRate } from './ConnectRate.js'

const MINUTE_MS = 60_000

export interface ConnectionLimitSettings {
  /** Open connections on this server (`MAX_CONNECTIONS`). */
  perServer: number
  /** Open connections of one user, over every room of this server (`MAX_CONNECTIONS_PER_USER`). */
  perUser: number
  /** Open connections of one user to one room (`MAX_CONNECTIONS_PER_USER_PER_ROOM`): its tabs. */
  perUserPerRoom: number
  /** New connections of one user per minute (`CONNECTS_PER_USER_PER_MINUTE`): reconnect churn. */
  connectsPerMinute: number
}

/** Which cap refused a connection: the label of `rejected_inputs_total` and the close code's cause. */
export type ConnectionLimit = 'server' | 'user' | 'user_room'

/** A connection's place in the counts, held while it is open. */
export interface ConnectionSlot {
  /** Gives the slot back when the connection closes; idempotent. */
  release(): void
}

export type Admission = ({ ok: true } & ConnectionSlot) | { ok: false; limit: ConnectionLimit; close: CloseCode }

/**
 * The caps on open connections, so that no one user, and no crowd, holds more of the server than
 * its share: a user's sockets to one room (a script opening hundreds with one room token), to the
 * whole server, and the server's total. A connection takes a slot once its token is verified and
 * gives it back when it closes, joined or not.
 */
export class ConnectionLimits {
  private total = 0
  private readonly byUser = new Map<string, number>()
  private readonly byUserRoom = new Map<string, number>()
  private readonly connects: ConnectRate

  constructor(private readonly settings: ConnectionLimitSettings) {
    this.connects = new ConnectRate(settings.connectsPerMinute, MINUTE_MS)
  }

  get open(): number {
    return this.total
  }

  /**
   * Takes one of the user's new-connection allowance; false when the user connected too often
   * within the minute (the handshake is refused before a socket exists).
   */
  tryConnect(userId: string): boolean {
    return this.connects.tryConsume(userId)
  }

  /** A slot for one more connection of `userId` to `roomId`, or which cap is reached. */
  admit(userId: string, roomId: string): Admission {
    const userRoom = `${userId}\u0000${roomId}`
    const { perServer, perUser, perUserPerRoom } = this.settings
    if ((this.byUserRoom.get(userRoom) ?? 0) >= perUserPerRoom) return { ok: false, limit: 'user_room', close: CloseCode.TOO_MANY_CONNECTIONS }
    if ((this.byUser.get(userId) ?? 0) >= perUser) return { ok: false, limit: 'user', close: CloseCode.TOO_MANY_CONNECTIONS }
    if (this.total >= perServer) return { ok: false, limit: 'server', close: CloseCode.SERVER_FULL }
    this.total++
    increment(this.byUser, userId, 1)
    increment(this.byUserRoom, userRoom, 1)
    return new AdmittedSlot(this, userId, userRoom)
  }

  /** Gives back what `admit` took; called once per slot, by `AdmittedSlot.release`. */
  giveBack(userId: string, userRoom: string): void {
    this.total--
    increment(this.byUser, userId, -1)
    increment(this.byUserRoom, userRoom, -1)
  }
}

/** One small object per open connection (a closure would add its context: ~100 bytes more). */
class AdmittedSlot implements ConnectionSlot {
  readonly ok = true
  private released = false

  constructor(
    private readonly limits: ConnectionLimits,
    private readonly userId: string,
    private readonly userRoom: string,
  ) {}

  release(): void {
    if (this.released) return
    this.released = true
    this.limits.giveBack(this.userId, this.userRoom)
  }
}

/** Adds `by` to a count, deleting it at zero so that maps hold only users who are connected. */
function increment(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by
  if (next <= 0) counts.delete(key)
  else counts.set(key, next)
}
