/**
 * The terminal client: sign in, pick a room, chat. It is the web app's non-UI half (the API
 * client, ChatConnection with its reconnects and resume, sessionSocketUrl, mergeMessages,
 * typingText) driven by a `node:readline` front end, with Node's `fetch` and `ws` injected as
 * the web tests do.
 *
 * Everything goes through the streams and the environment it is given, so tests run it without
 * a TTY or a child process.
 *
 * @example
 * const code = await runChat({ argv: ['--user', 'ana', '--create', 'Team'], env: process.env, input: process.stdin, output: process.stdout })
 */
import type { MemberStatus } from '@scalable-chat/protocol'
import { MEMBER_STATUSES } from '@scalable-chat/protocol/codes'
import { WebSocket } from 'ws'
import type { MyRoom } from '@scalable-chat/backend-contract'
import { ApiError } from '../src/api/ApiError.js'
import { createApiClient, type ApiClient } from '../src/api/createApiClient.js'
import { parseRoomLink } from '../src/lobby/parseRoomLink.js'
import { ChatConnection, type SocketConstructor } from '../src/room/connection/ChatConnection.js'
import { AWAY_AFTER_IDLE_MS } from '../src/room/effectiveStatus.js'
import { TypingNotifier } from '../src/room/connection/TypingNotifier.js'
import { ChatPrinter } from './ChatPrinter.js'
import { IdlePresence } from './IdlePresence.js'
import { runMessageCommand } from './messageCommands.js'
import { COMMANDS_HELP, membersLine, noticeLine, offlineLine, roomChoiceLine, STATUS_TEXT } from './chatLines.js'
import { parseChatArgs, USAGE, type ChatArgs } from './parseChatArgs.js'
import { Terminal } from './Terminal.js'
import { terminalSafe } from './terminalSafe.js'

export const ExitCode = { OK: 0, FAILED: 1, USAGE: 2 } as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

export interface RunChatOptions {
  argv: readonly string[]
  env: Readonly<Record<string, string | undefined>>
  input: NodeJS.ReadableStream
  output: NodeJS.WritableStream
  /** Usage errors and failures; default: `output`. */
  errorOutput?: NodeJS.WritableStream
  /** Ends the session as /quit does (the process entry aborts it on SIGINT/SIGTERM). */
  signal?: AbortSignal
  /** Without a keystroke or a line for this long, an "online" user shows as away (default 5 minutes, as on the web). */
  awayAfterMs?: number
  /** Default: `ws` (Node 20 has no global WebSocket). */
  WebSocket?: SocketConstructor
  fetch?: typeof fetch
}

export async function runChat(options: RunChatOptions): Promise<ExitCode> {
  const errorOutput = options.errorOutput ?? options.output
  const parsed = parseChatArgs(options.argv, options.env)
  if (!parsed.ok) {
    errorOutput.write(`chat: ${parsed.error}\n\n${USAGE}\n`)
    return ExitCode.USAGE
  }
  if (parsed.help) {
    options.output.write(`${USAGE}\n`)
    return ExitCode.OK
  }

  const terminal = new Terminal(options.input, options.output)
  const stop = () => terminal.close()
  terminal.onInterrupt(stop)
  options.signal?.addEventListener('abort', stop, { once: true })
  try {
    return await session(parsed.args, terminal, options)
  } catch (error) {
    if (!(error instanceof ApiError)) throw error
    errorOutput.write(`chat: ${terminalSafe(error.message)}\n`)
    return ExitCode.FAILED
  } finally {
    options.signal?.removeEventListener('abort', stop)
    terminal.close()
  }
}

async function session(args: ChatArgs, terminal: Terminal, options: RunChatOptions): Promise<ExitCode> {
  // The token lives in this closure only: it is never printed, logged or written to disk.
  let token: string | null = null
  const api = createApiClient({ baseUrl: args.server, getToken: () => token, ...(options.fetch ? { fetch: options.fetch } : {}) })

  const username = args.user ?? (await terminal.ask('Username: '))?.trim()
  if (!username) return cancelled(terminal)
  const password = options.env.CHAT_PASSWORD ?? (await terminal.askHidden(`Password for ${username}: `))
  if (password === null) return cancelled(terminal)
  const auth = args.register ? await api.register({ username, password }) : await api.login({ username, password })
  token = auth.token
  terminal.print(noticeLine(`signed in as ${terminalSafe(auth.user.username)} on ${args.server}`))

  let roomId = await chooseRoom(args.room, api, terminal)
  if (!roomId) return cancelled(terminal)
  // One room at a time; /join, /create and /leave move to another without signing in again.
  for (;;) {
    const outcome = await chat(roomId, api, terminal, args, options)
    if (outcome.kind === 'exit') return outcome.code
    if (outcome.kind === 'switch') {
      roomId = outcome.roomId
      continue
    }
    const next = await chooseRoom({ kind: 'choose' }, api, terminal)
    if (!next) return ExitCode.OK
    roomId = next
  }
}

/** How a room's chat ended: the program ends, another room is chosen, or the user left this one. */
type ChatOutcome = { kind: 'exit'; code: ExitCode } | { kind: 'switch'; roomId: string } | { kind: 'left' }

/** What a typed line asks of the chat beyond the room itself. */
type LineAction = 'quit' | 'leave' | { join: string } | { create: string } | void

async function chooseRoom(room: ChatArgs['room'], api: ApiClient, terminal: Terminal): Promise<string | null> {
  if (room.kind === 'join') return room.roomId
  if (room.kind === 'create') {
    const created = await api.createRoom(room.name)
    terminal.print(noticeLine(`created the room "${terminalSafe(created.name)}"`))
    return created.roomId
  }
  const rooms = await api.listRooms()
  if (rooms.length === 0) terminal.print('You have no rooms yet.')
  else {
    terminal.print('Your rooms:')
    rooms.forEach((r, i) => terminal.print(roomChoiceLine(r, i)))
  }
  for (;;) {
    const answer = await terminal.ask(`${rooms.length ? 'Number, ' : ''}room link or id, or "new <name>": `)
    if (answer === null) return null
    const choice = answer.trim()
    const index = /^\d+$/.test(choice) ? Number(choice) - 1 : -1
    if (rooms[index]) return rooms[index].roomId
    const newName = /^new\s+(.+)$/i.exec(choice)?.[1]
    if (newName) return chooseRoom({ kind: 'create', name: newName }, api, terminal)
    const roomId = parseRoomLink(choice)
    if (roomId) return roomId
    if (choice) terminal.print(`"${terminalSafe(choice)}" is not ${rooms.length ? 'a number in the list, ' : ''}a room link or id.`)
  }
}

async function chat(roomId: string, api: ApiClient, terminal: Terminal, args: ChatArgs, options: RunChatOptions): Promise<ChatOutcome> {
  const connection = new ChatConnection({
    roomId,
    api,
    WebSocket: options.WebSocket ?? (WebSocket as unknown as SocketConstructor),
    // As a page served over https may not open ws:, an https backend means wss: for host:port addresses.
    secure: new URL(args.server).protocol === 'https:',
  })
  let finish: (outcome: ChatOutcome) => void = () => {}
  const finished = new Promise<ChatOutcome>((resolve) => (finish = resolve))
  const unsubscribePrinter = new ChatPrinter(connection, terminal).start()
  const typing = new TypingNotifier((on) => connection.setTyping(on), () => connection.getState().limits.typingTimeoutMs)
  const presence = new IdlePresence((status) => connection.setOwnStatus(status), options.awayAfterMs ?? AWAY_AFTER_IDLE_MS)
  const unsubscribeKeys = terminal.onKeystroke((line) => {
    if (!line.startsWith('/') || line.startsWith('//')) typing.input(line)
    presence.active()
  })
  // The rooms /rooms listed last, so that /join can take a number from that list.
  const rooms = new RoomListing(api, terminal)
  // Set while this terminal leaves the room: the close that follows (LEFT_ROOM) is what it asked for.
  let leaving = false
  const unsubscribeClosed = connection.subscribe(() => {
    if (connection.getState().status.kind === 'closed' && !leaving) finish({ kind: 'exit', code: ExitCode.FAILED })
  })
  connection.start()

  // --send is one line and the end of the input; otherwise lines come from the terminal (or a pipe).
  const script = args.send === undefined ? undefined : [args.send]
  const nextLine = () => (script ? Promise.resolve(script.shift() ?? null) : terminal.nextLine())
  void (async () => {
    if (script) await untilLive(connection)
    for (;;) {
      const line = await nextLine()
      typing.stop()
      if (line !== null) presence.active()
      const action: LineAction = line === null ? 'quit' : handleLine(line, connection, terminal, args, rooms, presence)
      if (action === 'quit') return finish({ kind: 'exit', code: await settled(connection, terminal) })
      if (action === 'leave') {
        leaving = true
        if (await leaveRoom(connection.roomId, api, terminal)) return finish({ kind: 'left' })
        leaving = false
      } else if (action && 'join' in action) {
        if (action.join !== connection.roomId) return finish({ kind: 'switch', roomId: action.join })
        terminal.print(noticeLine('you are in that room'))
      } else if (action && 'create' in action) {
        const created = await createRoom(action.create, api, terminal)
        if (created) return finish({ kind: 'switch', roomId: created })
      }
    }
  })()

  const outcome = await finished
  typing.stop()
  presence.stop()
  unsubscribeKeys()
  unsubscribeClosed()
  unsubscribePrinter()
  connection.dispose()
  return outcome
}

/** How long the end of the input waits for the messages still being sent. */
const SETTLE_TIMEOUT_MS = 15_000

/**
 * The end of the input (Ctrl-D, the end of a pipe, /quit, --send): waits until every message sent
 * is stored or refused, so a script's last lines are not lost by exiting; 0 when all are stored.
 */
async function settled(connection: ChatConnection, terminal: Terminal): Promise<ExitCode> {
  const sending = () => connection.getState().pending.some((p) => p.state === 'sending')
  if (sending() && connection.getState().status.kind !== 'closed') {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, SETTLE_TIMEOUT_MS)
      const unsubscribe = connection.subscribe(() => {
        if (!sending() || connection.getState().status.kind === 'closed') done()
      })
      function done() {
        clearTimeout(timer)
        unsubscribe()
        resolve()
      }
    })
  }
  const unsent = connection.getState().pending.length
  if (unsent === 0) return ExitCode.OK
  terminal.print(`${unsent} ${unsent === 1 ? 'message was' : 'messages were'} not sent.`)
  return ExitCode.FAILED
}

/** Resolves once the connection is live for the first time, or closed, or after SETTLE_TIMEOUT_MS (the send then waits its turn). */
function untilLive(connection: ChatConnection): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, SETTLE_TIMEOUT_MS)
    const unsubscribe = connection.subscribe(check)
    function check() {
      const { kind } = connection.getState().status
      if (kind === 'live' || kind === 'closed') done()
    }
    function done() {
      clearTimeout(timer)
      unsubscribe()
      resolve()
    }
    check()
  })
}

/** Leaves the room through the backend; false (and says why) when it refused. */
async function leaveRoom(roomId: string, api: ApiClient, terminal: Terminal): Promise<boolean> {
  try {
    await api.leaveRoom(roomId)
    terminal.print(noticeLine('You left the room. Its link still lets you join again.'))
    return true
  } catch (error) {
    terminal.print(`Could not leave: ${terminalSafe(errorText(error))}`)
    return false
  }
}

/** Creates a room from the chat (/create); its id, or null (and says why) when refused. */
async function createRoom(name: string, api: ApiClient, terminal: Terminal): Promise<string | null> {
  try {
    const created = await api.createRoom(name)
    terminal.print(noticeLine(`created the room "${terminalSafe(created.name)}"`))
    return created.roomId
  } catch (error) {
    terminal.print(`Could not create the room: ${terminalSafe(errorText(error))}`)
    return null
  }
}

/** /rooms: the user's rooms, numbered, remembered for /join <number>. */
class RoomListing {
  private listed: MyRoom[] = []

  constructor(
    private readonly api: ApiClient,
    private readonly terminal: Terminal,
  ) {}

  async print(): Promise<void> {
    try {
      this.listed = await this.api.listRooms()
    } catch (error) {
      return this.terminal.print(`Could not list your rooms: ${terminalSafe(errorText(error))}`)
    }
    if (this.listed.length === 0) return this.terminal.print('You have no rooms yet. /create <name> makes one.')
    this.listed.forEach((room, i) => this.terminal.print(roomChoiceLine(room, i)))
    this.terminal.print(noticeLine('/join <number> opens one'))
  }

  /** A room named by its number in the last listing, its link or its id. */
  resolve(choice: string): string | null {
    if (/^\d+$/.test(choice)) return this.listed[Number(choice) - 1]?.roomId ?? null
    return parseRoomLink(choice)
  }
}

function handleLine(
  line: string,
  connection: ChatConnection,
  terminal: Terminal,
  args: ChatArgs,
  rooms: RoomListing,
  presence: IdlePresence,
): LineAction {
  const text = line.trim()
  if (!text) return
  if (!text.startsWith('/') || text.startsWith('//')) {
    // Pending until the server acknowledges it: the prompt counts it, and it prints once stored.
    connection.send(text.startsWith('//') ? text.slice(1) : text)
    return
  }
  const [command, ...rest] = text.split(/\s+/)
  const state = connection.getState()
  switch (command) {
    case '/quit':
    case '/exit':
      return 'quit'
    case '/leave':
      return 'leave'
    case '/rooms':
      void rooms.print()
      return
    case '/join': {
      const roomId = rest[0] ? rooms.resolve(rest[0]) : null
      if (!roomId) return terminal.print('Usage: /join <room id or link>, or /join <number> after /rooms')
      return { join: roomId }
    }
    case '/create': {
      const name = rest.join(' ').trim()
      if (!name) return terminal.print('Usage: /create <room name>')
      return { create: name }
    }
    case '/clear':
      return terminal.clear()
    case '/help':
      return terminal.print(COMMANDS_HELP)
    case '/members':
      terminal.print(membersLine(state.members, state.you?.userId ?? null))
      return terminal.print(offlineLine(state.offline))
    case '/status': {
      const status = rest[0] as MemberStatus | undefined
      if (!status || !MEMBER_STATUSES.includes(status)) return terminal.print(`Usage: /status ${MEMBER_STATUSES.join('|')}`)
      presence.choose(status)
      return terminal.print(noticeLine(`you are ${STATUS_TEXT[status]}`))
    }
    case '/link': {
      // The web app and /api share one origin in production, so the backend's origin is the app's.
      const link = new URL(`/rooms/${encodeURIComponent(connection.roomId)}`, args.server).href
      return terminal.print(`${link}   (room id ${connection.roomId})`)
    }
    case '/retry':
      for (const p of state.pending) if (p.state === 'failed') connection.retry(p.clientId)
      return
    case '/discard':
      for (const p of state.pending) if (p.state === 'failed') connection.discard(p.clientId)
      return
    default:
      if (runMessageCommand(command ?? '', rest, connection, terminal)) return
      return terminal.print(`Unknown command ${terminalSafe(command ?? '')}. /help lists the commands.`)
  }
}

/**
 * What went wrong, in a line: the backend's words, or the error's (an answer that was not JSON). A
 * command running in the background must never throw: nothing would catch it.
 */
function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function cancelled(terminal: Terminal): ExitCode {
  terminal.print('Cancelled.')
  return ExitCode.FAILED
}
