/**
 * What the terminal client prints, as pure functions of the data: one place for the wording, and
 * every piece of text that came from someone else goes through `terminalSafe`.
 */
import type { ChatMessage, MessageChange, MyRoom } from '@scalable-chat/backend-contract'
import type { Member, OfflineMember } from '@scalable-chat/protocol'
import { relativeTime } from '../src/components/relativeTime.js'
import { unreadText } from '../src/lobby/unreadText.js'
import { ClosedReason, type ConnectionStatus } from '../src/room/connection/connectionStatus.js'
import { terminalSafe } from './terminalSafe.js'

/**
 * `#41 [12:03] ana: hello`, with `(edited)` and the reactions after the text; continuation lines
 * of a multi-line message are indented under the text. `#41` is the message's seq, which `/edit`,
 * `/delete` and `/react` take to name it.
 */
export function messageLine(message: ChatMessage): string {
  const prefix = `#${message.seq} [${clockTime(message.createdAt)}] ${terminalSafe(message.username)}: `
  if (message.deleted) return `${prefix}(message deleted)`
  const edited = message.editedAt === undefined ? '' : ' (edited)'
  const reactions = message.reactions?.length ? `  [${message.reactions.map((r) => `${terminalSafe(r.emoji)} ${r.userIds.length}`).join(', ')}]` : ''
  return prefix + terminalSafe(message.text, ' '.repeat(prefix.length)) + edited + reactions
}

/** A change of a message, as a notice: `ana edited #41: hello`, `bo reacted 👍 to #41`. */
export function changeLine(change: MessageChange): string {
  const name = terminalSafe(change.username)
  switch (change.kind) {
    case 'edit':
      return noticeLine(`${name} edited #${change.target}: ${terminalSafe(change.text, '  ')}`)
    case 'delete':
      return noticeLine(`${name} deleted #${change.target}`)
    case 'react':
      return noticeLine(`${name} ${change.on ? 'reacted' : 'took back'} ${terminalSafe(change.emoji)} ${change.on ? 'to' : 'on'} #${change.target}`)
    default:
      return change satisfies never
  }
}

/** Local time as HH:MM, the same width for every message. */
export function clockTime(iso: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return '--:--'
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`
}

/** A line about the room rather than in it (joins, status, connection), marked with `*`. */
export function noticeLine(text: string): string {
  return `* ${text}`
}

/** The connection state, in words; null for states not worth a line. */
export function statusText(status: ConnectionStatus, now = Date.now()): string | null {
  switch (status.kind) {
    case 'connecting':
      return status.attempt === 0 ? 'connecting…' : null
    case 'live':
      return 'live'
    case 'reconnecting':
      return `connection lost, reconnecting in ${seconds(status.retryAt - now)}…`
    case 'offline':
      return 'offline, waiting for the network…'
    case 'closed':
      return CLOSED_TEXT[status.reason]
    default:
      return status satisfies never
  }
}

const CLOSED_TEXT: Record<ClosedReason, string> = {
  [ClosedReason.DELETED]: 'This room was deleted.',
  [ClosedReason.LEFT]: 'You left this room; its link still lets you join again.',
  [ClosedReason.NOT_FOUND]: 'Room not found: check the id or link.',
  [ClosedReason.FORBIDDEN]: 'You may not join this room.',
  [ClosedReason.PROTOCOL_MISMATCH]: 'This client and the server speak different protocol versions: update the client.',
  [ClosedReason.ROOM_FULL]: 'The room is full.',
  [ClosedReason.TOO_MANY_CONNECTIONS]: 'Your account has too many connections to this server: close some and try again.',
  [ClosedReason.POLICY_VIOLATION]: 'The server closed the connection.',
  [ClosedReason.SIGNED_OUT]: 'Your session has expired: sign in again.',
}

/** "2 s", or "0.3 s" below a second (the first retries are that quick). */
function seconds(ms: number): string {
  const s = Math.max(0, ms) / 1000
  return s < 1 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`
}

/** `Here (3): ana (you), bo (away), cy (guest)`. */
export function membersLine(members: readonly Member[], ownUserId: string | null): string {
  const names = members.map((m) => {
    const notes = [m.guest ? 'guest' : null, m.userId === ownUserId ? 'you' : null, m.status === 'online' ? null : STATUS_TEXT[m.status]].filter(Boolean)
    return terminalSafe(m.username) + (notes.length ? ` (${notes.join(', ')})` : '')
  })
  return `Here (${members.length}): ${names.join(', ')}`
}

/** `/members`' second line: who is not connected, and since when (the 20 most recently seen). */
export function offlineLine(offline: readonly OfflineMember[], now = Date.now()): string {
  if (offline.length === 0) return 'Offline: nobody'
  const names = offline.slice(0, 20).map((m) => {
    const notes = [m.guest ? 'guest' : null, m.lastSeenAt ? `last seen ${relativeTime(m.lastSeenAt, now)}` : null].filter(Boolean)
    return terminalSafe(m.username) + (notes.length ? ` (${notes.join(', ')})` : '')
  })
  return `Offline (${offline.length}): ${names.join(', ')}${offline.length > 20 ? ', …' : ''}`
}

export const STATUS_TEXT: Record<Member['status'], string> = { online: 'online', away: 'away', dnd: 'do not disturb' }

/** `  1) Team (ana) · 3 unread messages, 1 mention` for the room chooser and /rooms. */
export function roomChoiceLine(room: MyRoom, index: number): string {
  const unread = unreadText(room.unread, room.mentions)
  return `  ${index + 1}) ${terminalSafe(room.name)} (${terminalSafe(room.owner.username)})${unread ? ` · ${unread}` : ''}`
}

export const COMMANDS_HELP = `Commands:
  /members                       who is here, and who is not (last seen)
  /status online|away|dnd        your status
  /history [n]                   load older messages (n of them, or one page)
  /edit [#seq] <text>            edit your message #seq (your latest without it)
  /delete [#seq]                 delete your message #seq (your latest without it)
  /react [#seq] <emoji>          react to #seq (the latest without it); again to take it back
  /rooms                         your rooms, numbered, with what you have not read
  /join <number|id|link>         go to another room
  /create <name>                 create a room and go there
  /clear                         clear the screen
  /link                          this room's link, to share
  /retry, /discard               send again, or drop, messages that were not sent
  /leave                         leave the room: it leaves your rooms (its link still works);
                                 then choose another
  /quit                          close the chat, staying in the room (Ctrl-C too)
A line starting with // sends a message that starts with /.`
