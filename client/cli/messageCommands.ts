/**
 * The terminal's commands on the room's messages: `/history [n]` pages older ones in, `/edit`,
 * `/delete` and `/react` change one. A message is named by its seq as printed (`#41`); without
 * one, `/edit` and `/delete` take your latest message and `/react` the room's latest.
 */
import type { ChatMessage } from '@scalable-chat/backend-contract'
import { REACTION_RULE } from '@scalable-chat/backend-contract/rules'
import type { ChatConnection } from '../src/room/connection/ChatConnection.js'
import { noticeLine } from './chatLines.js'
import type { Terminal } from './Terminal.js'

/** The most `/history n` loads at once. */
const MAX_HISTORY_LINES = 1000

/** Runs the command if it is one of these; false when it is not (the caller says it is unknown). */
export function runMessageCommand(command: string, args: string[], connection: ChatConnection, terminal: Terminal): boolean {
  switch (command) {
    case '/history':
      history(args, connection, terminal)
      return true
    case '/edit':
    case '/delete':
    case '/react':
      change(command, args, connection, terminal)
      return true
    default:
      return false
  }
}

function history(args: string[], connection: ChatConnection, terminal: Terminal): void {
  const state = connection.getState()
  const count = args[0] === undefined ? 1 : Number(args[0])
  if (!Number.isInteger(count) || count < 1 || count > MAX_HISTORY_LINES) {
    return terminal.print(`Usage: /history [n]: n older messages, 1 to ${MAX_HISTORY_LINES} (one page without n)`)
  }
  if (!state.history.hasMore) return terminal.print(noticeLine('This is the beginning of the conversation.'))
  if (state.history.loading) return terminal.print(noticeLine('older messages are loading already'))
  void loadHistory(connection, terminal, args[0] === undefined ? undefined : count)
}

/** Loads older pages until `count` more messages are held (one page without it), or the beginning. */
async function loadHistory(connection: ChatConnection, terminal: Terminal, count: number | undefined): Promise<void> {
  const target = connection.getState().messages.length + (count ?? 1)
  // Stops as soon as a call loads nothing (another page loading, the room closed or left behind).
  while ((await connection.loadOlder()) && count !== undefined && connection.getState().messages.length < target) {
    // the next page
  }
  const after = connection.getState().history
  if (!after.hasMore && !after.error) terminal.print(noticeLine('This is the beginning of the conversation.'))
}

const USAGE = {
  '/edit': 'Usage: /edit [#seq] <new text>   (your latest message without #seq)',
  '/delete': 'Usage: /delete [#seq]   (your latest message without #seq)',
  '/react': `Usage: /react [#seq] <emoji>   (the latest message without #seq; again to take it back)`,
} as const

function change(command: keyof typeof USAGE, args: string[], connection: ChatConnection, terminal: Terminal): void {
  const state = connection.getState()
  const you = state.you?.userId
  const named = /^#?(\d+)$/.exec(args[0] ?? '')
  // `/edit 3 apples` edits with the text "3 apples": only `#3` names a message there.
  const seq = named && (command !== '/edit' || args[0]!.startsWith('#')) ? Number(named[1]) : undefined
  const rest = seq === undefined ? args : args.slice(1)
  const live = state.messages.filter((m) => !m.deleted)
  const target: ChatMessage | undefined =
    seq !== undefined
      ? state.messages.find((m) => m.seq === seq)
      : command === '/react'
        ? live.at(-1)
        : live.filter((m) => m.userId === you).at(-1)
  if (command === '/edit' ? rest.length === 0 : command === '/react' ? rest.length !== 1 : rest.length > 0) return terminal.print(USAGE[command])
  if (!target) {
    return terminal.print(noticeLine(seq === undefined ? 'no message to change here' : `#${seq} is not a message held here (/history loads older ones)`))
  }
  if (target.deleted) return terminal.print(noticeLine(`#${target.seq} was deleted`))
  if (command !== '/react' && target.userId !== you) return terminal.print(noticeLine(`#${target.seq} is not yours: only its author may change it`))
  switch (command) {
    case '/edit':
      connection.edit(target.seq, rest.join(' '))
      return
    case '/delete':
      connection.deleteMessage(target.seq)
      return
    case '/react': {
      const emoji = rest[0]!
      if (!REACTION_RULE.emoji.test(emoji)) return terminal.print(noticeLine(`${USAGE['/react']}: one emoji, such as 👍`))
      const mine = target.reactions?.some((r) => r.emoji === emoji && you !== undefined && r.userIds.includes(you)) ?? false
      connection.react(target.seq, emoji, !mine)
      return
    }
  }
}
