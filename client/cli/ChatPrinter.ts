/**
 * Prints ChatConnection's events as terminal lines: the same events the web app's state is built
 * from (the connection owns the protocol, reconnects and message order), each turned into what a
 * person reading a terminal needs: new messages, older history, joins and leaves, status changes,
 * typing, the connection's state, refused sends, and that the board changed. It keeps the last seq
 * it printed, so that a snapshot which replaces the view after a reconnect does not print messages
 * twice, and when it last said each member changed the board. What it printed the user has seen:
 * it marks the room read up to there.
 */
import type { ChatMessage, MessageChange, ShapeType } from '@scalable-chat/backend-contract'
import type { ChatConnection, ChatEvent, ChatState } from '../src/room/connection/ChatConnection.js'
import { describeRefusal } from '../src/room/describeRefusal.js'
import { typingText } from '../src/room/typingText.js'
import { changeLine, membersLine, messageLine, noticeLine, STATUS_TEXT, statusText } from './chatLines.js'
import type { Terminal } from './Terminal.js'
import { terminalSafe } from './terminalSafe.js'

/** Changes to the board by one member closer together than this are told once. */
const BOARD_CHANGE_QUIET_MS = 10_000

const SHAPE_TEXT: Record<ShapeType, string> = {
  rectangle: 'a rectangle',
  ellipse: 'an ellipse',
  arrow: 'an arrow',
  line: 'a line',
  path: 'a drawing',
  text: 'a text',
}

export class ChatPrinter {
  private lastPrintedSeq = 0
  private headerShown = false
  private readonly lastBoardChange = new Map<string, number>()

  constructor(
    private readonly connection: ChatConnection,
    private readonly terminal: Terminal,
  ) {}

  /** Prints the connection's status, then every event after it; returns the unsubscribe function. */
  start(): () => void {
    this.printStatus(this.connection.getState())
    return this.connection.onEvent((event) => this.print(event, this.connection.getState()))
  }

  private print(event: ChatEvent, state: ChatState): void {
    const line = (text: string) => this.terminal.print(noticeLine(text))
    switch (event.type) {
      case 'connection':
        this.printStatus(state)
        break
      case 'snapshot':
        if (!this.headerShown) {
          this.headerShown = true
          this.terminal.print(`── ${terminalSafe(event.room.name)} ── room ${event.room.id} · /help for commands`)
        }
        this.printNewer(event.messages, event.changes)
        this.printStatus(state)
        line(membersLine(event.members, event.you.userId))
        break
      case 'message':
        this.printNewer([event.message])
        break
      case 'change':
        this.printNewer([], [event.change])
        break
      case 'change_failed':
        line(`not changed: ${terminalSafe(describeRefusal(event.error))}`)
        break
      case 'history_loaded':
        this.printOlder(event.messages)
        break
      case 'history_failed':
        line(terminalSafe(event.error))
        break
      case 'user_joined':
        line(`${terminalSafe(event.member.username)} joined`)
        break
      case 'member_left':
        line(`${terminalSafe(event.member.username)} left`)
        break
      case 'status': {
        const member = state.members.find((m) => m.userId === event.userId)
        if (member && member.userId !== state.you?.userId) line(`${terminalSafe(member.username)} is ${STATUS_TEXT[event.status]}`)
        break
      }
      case 'typing':
        if (event.typing) line(typingText(state.typing))
        break
      case 'send_failed': {
        const failed = state.pending.find((p) => p.clientId === event.clientId)
        if (failed) line(`not sent: "${terminalSafe(failed.text)}": ${terminalSafe(describeRefusal(event.error))} (/retry or /discard)`)
        break
      }
      case 'notice':
        if (event.notice) line(terminalSafe(describeRefusal(event.notice)))
        break
      case 'board_changed':
        this.printBoardChange(event, state)
        break
      case 'room_updated': {
        const owner = state.members.find((m) => m.userId === event.room.ownerId)
        if (owner) line(owner.userId === state.you?.userId ? 'You own this room now' : `${terminalSafe(owner.username)} owns this room now`)
        break
      }
      case 'joined':
      case 'settings':
      case 'send_queued':
      case 'send_retried':
      case 'send_discarded':
      case 'change_queued':
      case 'own_status':
      case 'history_loading':
      case 'read':
      case 'marked_read':
        break
      default:
        event satisfies never
    }
    this.terminal.setChatPrompt(promptFor(state))
  }

  /**
   * One line per shape drawn or erased; changes to shapes (a drag is many) at most one line per
   * member per `BOARD_CHANGE_QUIET_MS`. The terminal has no board: it only says the board moved.
   */
  private printBoardChange(event: Extract<ChatEvent, { type: 'board_changed' }>, state: ChatState): void {
    const name = terminalSafe(state.members.find((m) => m.userId === event.by)?.username ?? 'someone')
    const now = Date.now()
    if (event.change === 'updated') {
      if (now - (this.lastBoardChange.get(event.by) ?? -Infinity) < BOARD_CHANGE_QUIET_MS) return
      this.lastBoardChange.set(event.by, now)
      this.terminal.print(noticeLine(`${name} changed the board`))
      return
    }
    this.lastBoardChange.set(event.by, now)
    const what = event.change === 'created' ? `drew ${SHAPE_TEXT[event.shapeType ?? 'path']} on` : 'erased a shape from'
    this.terminal.print(noticeLine(`${name} ${what} the board`))
  }

  private printStatus(state: ChatState): void {
    const text = statusText(state.status)
    if (text) this.terminal.print(noticeLine(text))
  }

  /** Messages and changes after the last one printed, in seq order (a replacing snapshot repeats some); read once printed. */
  private printNewer(messages: readonly ChatMessage[], changes: readonly MessageChange[] = []): void {
    const entries = [...messages.map((m) => ({ seq: m.seq, line: () => messageLine(m) })), ...changes.map((c) => ({ seq: c.seq, line: () => changeLine(c) }))]
    for (const entry of entries.sort((a, b) => a.seq - b.seq)) {
      if (entry.seq <= this.lastPrintedSeq) continue
      this.lastPrintedSeq = entry.seq
      this.terminal.print(entry.line())
    }
    this.connection.markRead(this.lastPrintedSeq)
  }

  /** A page of older history, as a labelled block. */
  private printOlder(messages: readonly ChatMessage[]): void {
    if (messages.length === 0) return
    this.terminal.print(noticeLine(`${messages.length} earlier message${messages.length === 1 ? '' : 's'}:`))
    for (const message of messages) this.terminal.print(messageLine(message))
    this.terminal.print(noticeLine('(end of earlier messages)'))
  }
}

/** `> `, or `(2 sending) > ` while messages wait for the server's acknowledgement. */
export function promptFor(state: ChatState): string {
  const sending = state.pending.filter((p) => p.state === 'sending').length
  const failed = state.pending.length - sending
  const marks = [sending ? `${sending} sending` : null, failed ? `${failed} not sent` : null].filter(Boolean)
  return marks.length ? `(${marks.join(', ')}) > ` : '> '
}
