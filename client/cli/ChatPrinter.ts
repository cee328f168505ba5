/**
 * Turns ChatConnection's state changes into terminal lines. The connection owns the protocol,
 * reconnects and message order (the same class as the web app's room screen); this only compares
 * each new state with the previous one and prints what changed: new messages, older history,
 * joins and leaves, status changes, typing, the connection state, refused sends.
 */
import type { ChatConnection, ChatState } from '../src/room/ChatConnection.js'
import { typingText } from '../src/room/typingText.js'
import { membersLine, messageLine, noticeLine, STATUS_TEXT, statusText } from './chatLines.js'
import type { Terminal } from './Terminal.js'
import { terminalSafe } from './terminalSafe.js'

export class ChatPrinter {
  private previous: ChatState | null = null
  private readonly printed = new Set<number>()
  private readonly failedShown = new Set<string>()
  private lastTyping = ''
  /** Compared as text: a new attempt with the same wording is not worth another line. */
  private lastStatus: string | null = null
  private headerShown = false

  constructor(
    private readonly connection: ChatConnection,
    private readonly terminal: Terminal,
  ) {}

  /** Prints the current state and every change after it; returns the unsubscribe function. */
  start(): () => void {
    const unsubscribe = this.connection.subscribe(() => this.render(this.connection.getState()))
    this.render(this.connection.getState())
    return unsubscribe
  }

  private render(state: ChatState): void {
    const previous = this.previous
    this.previous = state
    const print = (line: string) => this.terminal.print(line)
    const becameLive = state.status.kind === 'live' && previous?.status.kind !== 'live'

    if (becameLive && !this.headerShown && state.room) {
      this.headerShown = true
      print(`── ${terminalSafe(state.room.name)} ── room ${state.room.id} · /help for commands`)
    }
    this.printMessages(state)

    const status = statusText(state.status)
    if (status && status !== this.lastStatus) print(noticeLine(status))
    if (status) this.lastStatus = status
    if (becameLive) print(noticeLine(membersLine(state.members, state.you?.userId ?? null)))
    else if (previous && state.status.kind === 'live') this.printMemberChanges(previous, state)

    const typing = state.status.kind === 'live' ? typingText(state.typing, state.you?.userId ?? null) : ''
    if (typing !== this.lastTyping) {
      this.lastTyping = typing
      if (typing) print(noticeLine(typing))
    }

    for (const pending of state.pending) {
      if (pending.state === 'failed' && !this.failedShown.has(pending.clientId)) {
        this.failedShown.add(pending.clientId)
        print(noticeLine(`not sent: "${terminalSafe(pending.text)}": ${terminalSafe(pending.error ?? 'refused')} (/retry or /discard)`))
      } else if (pending.state === 'sending') {
        this.failedShown.delete(pending.clientId)
      }
    }
    if (state.notice) {
      print(noticeLine(terminalSafe(state.notice)))
      this.connection.dismissNotice()
      return // dismissNotice() rendered the rest already
    }
    if (state.history.error && state.history.error !== previous?.history.error) print(noticeLine(terminalSafe(state.history.error)))

    this.terminal.setChatPrompt(promptFor(state))
  }

  /** New messages in seq order; a page of older history is printed as a block, labelled. */
  private printMessages(state: ChatState): void {
    const fresh = state.messages.filter((m) => !this.printed.has(m.seq))
    if (fresh.length === 0) return
    const oldestPrinted = this.printed.size > 0 ? Math.min(...this.printed) : Infinity
    const older = fresh.filter((m) => m.seq < oldestPrinted)
    const newer = fresh.filter((m) => m.seq >= oldestPrinted)
    if (older.length > 0 && this.printed.size > 0) {
      this.terminal.print(noticeLine(`${older.length} earlier message${older.length === 1 ? '' : 's'}:`))
    }
    for (const message of [...older, ...newer]) {
      this.printed.add(message.seq)
      this.terminal.print(messageLine(message))
    }
    if (older.length > 0 && this.printed.size > older.length) this.terminal.print(noticeLine('(end of earlier messages)'))
  }

  private printMemberChanges(previous: ChatState, state: ChatState): void {
    if (previous.members === state.members) return
    const before = new Map(previous.members.map((m) => [m.userId, m]))
    const after = new Map(state.members.map((m) => [m.userId, m]))
    for (const member of state.members) {
      const old = before.get(member.userId)
      const name = terminalSafe(member.username)
      if (!old) this.terminal.print(noticeLine(`${name} joined`))
      else if (old.status !== member.status && member.userId !== state.you?.userId) {
        this.terminal.print(noticeLine(`${name} is ${STATUS_TEXT[member.status]}`))
      }
    }
    for (const member of previous.members) {
      if (!after.has(member.userId)) this.terminal.print(noticeLine(`${terminalSafe(member.username)} left`))
    }
  }
}

/** `> `, or `(2 sending) > ` while messages wait for the server's acknowledgement. */
export function promptFor(state: ChatState): string {
  const sending = state.pending.filter((p) => p.state === 'sending').length
  const failed = state.pending.length - sending
  const marks = [sending ? `${sending} sending` : null, failed ? `${failed} not sent` : null].filter(Boolean)
  return marks.length ? `(${marks.join(', ')}) > ` : '> '
}
