/**
 * The terminal client's command line, parsed with `node:util`'s `parseArgs`: built into Node, so a
 * handful of flags cost no dependency (commander or yargs would add subcommands and help
 * generation this tool does not need). Bad input is a value, not a throw: `runChat` prints it with
 * the usage and exits with 2, before any network call.
 */
import { parseArgs } from 'node:util'
import { parseRoomLink } from '../src/lobby/parseRoomLink.js'

export const DEFAULT_SERVER = 'http://localhost:8080'

export const USAGE = `Usage: npm run chat -- [options]

  --server <url>     the backend, http(s)://host[:port] (default: $CHAT_SERVER or ${DEFAULT_SERVER})
  --user <name>      your username (asked for when missing)
  --register         create the account first
  --room <id|link>   join this room (an id or a room link)
  --create <name>    create a room with this name and join it
  --send <text>      send this message to the room (--room or --create), then exit:
                     0 once it is stored, 1 if it was not
  --help             show this help

The password comes from $CHAT_PASSWORD, or is asked for without echo.
Without --room or --create, your rooms are listed to choose from.
In the room, type a message and press Enter; /help lists the commands. Lines piped in are sent
one by one; at the end of the input the client waits for them to be stored (exit 0) or
refused (exit 1).`

export interface ChatArgs {
  /** The backend's origin, without a trailing slash. */
  server: string
  user: string | undefined
  register: boolean
  room: { kind: 'join'; roomId: string } | { kind: 'create'; name: string } | { kind: 'choose' }
  /** One message to send, instead of reading lines. */
  send: string | undefined
}

export type ParsedChatArgs = { ok: true; help: true } | { ok: true; help: false; args: ChatArgs } | { ok: false; error: string }

const OPTIONS = {
  server: { type: 'string' },
  user: { type: 'string' },
  register: { type: 'boolean', default: false },
  room: { type: 'string' },
  create: { type: 'string' },
  send: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const

const TAKES_VALUE = new Set(
  Object.entries(OPTIONS)
    .filter(([, option]) => option.type === 'string')
    .map(([name]) => `--${name}`),
)

/**
 * getopt's rule: an option that takes a value takes the next argument, even one that begins with
 * `-`. `parseArgs` refuses those as ambiguous, but a room id may begin with `-` (its alphabet is
 * base64url) and so may a message (`--send "- done"`).
 */
function withValuesAttached(argv: readonly string[]): string[] {
  const args: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (TAKES_VALUE.has(arg) && i + 1 < argv.length) args.push(`${arg}=${argv[++i]}`)
    else args.push(arg)
  }
  return args
}

export function parseChatArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ParsedChatArgs {
  let values
  try {
    ;({ values } = parseArgs({ args: withValuesAttached(argv), strict: true, allowPositionals: false, options: OPTIONS }))
  } catch (error) {
    // parseArgs' own messages name the option ("Unknown option '--x'"); drop its hints for scripts.
    return { ok: false, error: (error as Error).message.split('. To specify')[0]!.trim() }
  }
  if (values.help) return { ok: true, help: true }

  const server = parseServer(values.server ?? env.CHAT_SERVER ?? DEFAULT_SERVER)
  if (!server) return { ok: false, error: `--server must be an http:// or https:// URL, got "${values.server ?? env.CHAT_SERVER}"` }
  if (values.user !== undefined && values.user.trim() === '') return { ok: false, error: '--user must not be empty' }
  if (values.room !== undefined && values.create !== undefined) return { ok: false, error: 'give --room or --create, not both' }

  let room: ChatArgs['room'] = { kind: 'choose' }
  if (values.room !== undefined) {
    const roomId = parseRoomLink(values.room)
    if (!roomId) return { ok: false, error: `--room must be a room id or a room link, got "${values.room}"` }
    room = { kind: 'join', roomId }
  } else if (values.create !== undefined) {
    if (values.create.trim() === '') return { ok: false, error: '--create needs a room name' }
    room = { kind: 'create', name: values.create }
  }
  if (values.send !== undefined) {
    if (values.send.trim() === '') return { ok: false, error: '--send needs a message' }
    if (room.kind === 'choose') return { ok: false, error: '--send needs --room or --create (there is no one to ask which room)' }
  }
  return { ok: true, help: false, args: { server, user: values.user?.trim(), register: values.register, room, send: values.send } }
}

function parseServer(value: string): string | null {
  try {
    const url = new URL(value)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
    if (url.search || url.hash || url.username || url.password) return null
    return url.href.replace(/\/+$/, '')
  } catch {
    return null
  }
}
