/**
 * The terminal client end to end, in this process: `runChat` on PassThrough streams (no TTY)
 * against the REAL backend (PGlite in memory) and a real session server on 127.0.0.1 port 0,
 * with a second person on a ChatConnection. The session server's address is a full
 * `ws://…/s/terminal` URL, as a fleet behind one ingress publishes it.
 */
import { PassThrough } from 'node:stream'
import type { TestStack } from '@scalable-chat/session-server/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { handshakeUrl } from '@scalable-chat/protocol/handshake-url'
import { runChat } from '../cli/runChat.js'
import { parseChatArgs } from '../cli/parseChatArgs.js'
import type { SocketConstructor } from '../src/room/connection/ChatConnection.js'
import { disposeConnections, isLive, openConnection, PASSWORD, signedInApi, uniqueName, waitForState } from './helpers/connections.js'
import { endClis, roomIdIn, startCli, startTerminalStack } from './helpers/terminalCli.js'
import { wsSocket } from './helpers/wsSocket.js'
const JWT = /eyJ[\w-]+\.eyJ[\w-]+/

let stack: TestStack
/** Request paths of every WebSocket upgrade the session server saw. */
const upgradePaths: string[] = []

beforeAll(async () => {
  stack = await startTerminalStack()
  stack.server.on('upgrade', (req) => upgradePaths.push(new URL(req.url ?? '/', 'ws://x').pathname))
})

afterAll(() => stack?.close())

afterEach(() => {
  endClis()
  disposeConnections()
})

/** `ws` behind ChatConnection's SocketLike, with every received frame passed through `transform`. */
function tamperingSocket(transform: (frame: string) => string): SocketConstructor {
  return wsSocket({ frame: transform })
}

describe('runChat (the terminal client) against the real servers', () => {
  it('registers, creates a room, chats both ways with another client, lists members and quits with 0', async () => {
    const ana = uniqueName('ana')
    const cli = startCli(['--server', stack.backend.url, '--user', ana, '--register', '--create', 'Terminal room'])
    await cli.waitFor('* live')
    expect(cli.text).toContain('── Terminal room ──')
    const roomId = roomIdIn(cli.text)!

    const bo = await signedInApi(stack.backend.url, uniqueName('bo'))
    const boConnection = openConnection(bo.api, roomId)
    await waitForState(boConnection, isLive)
    await cli.waitFor(`* ${bo.username} joined`)

    cli.type('hello from the terminal')
    const seen = await waitForState(boConnection, (s) => s.messages.length === 1)
    expect(seen.messages[0]).toMatchObject({ username: ana, text: 'hello from the terminal' })
    await cli.waitFor(new RegExp(`\\[\\d\\d:\\d\\d\\] ${ana}: hello from the terminal\\n`))

    boConnection.send('hi terminal')
    await cli.waitFor(new RegExp(`\\[\\d\\d:\\d\\d\\] ${bo.username}: hi terminal\\n`))

    const before = cli.text.length
    cli.type('/members')
    await cli.waitFor(`Here (2): ${ana} (you), ${bo.username}`, before)

    cli.type('/quit')
    expect(await cli.exit).toBe(0)
    expect(cli.text).not.toMatch(JWT)
  })

  it('connects to a session server address given as a full ws:// URL with a path, as given', async () => {
    const cli = startCli(['--server', stack.backend.url, '--user', uniqueName('ana'), '--register', '--create', 'Path room'])
    const before = upgradePaths.length
    await cli.waitFor('* live')
    expect(upgradePaths.slice(before)).toEqual(['/s/terminal'])
    cli.type('/quit')
    expect(await cli.exit).toBe(0)
  })

  it('shows control characters in messages as visible symbols, even from a server that let them through', async () => {
    // The session server strips control characters before storing; this stands in for one that
    // does not (an older or a hostile server) by rewriting frames on their way to the CLI.
    const hostile = tamperingSocket((frame) =>
      frame.replaceAll('{ESC}', '\\u001b').replaceAll('{BEL}', '\\u0007').replaceAll('{CSI}', '\\u009b').replaceAll('{CR}', '\\r'),
    )
    const cli = startCli(['--server', stack.backend.url, '--user', uniqueName('ana'), '--register', '--create', 'Escapes'], { CHAT_PASSWORD: PASSWORD }, hostile)
    await cli.waitFor('* live')
    const bo = await signedInApi(stack.backend.url, uniqueName('bo'))
    const boConnection = openConnection(bo.api, roomIdIn(cli.text)!)
    await waitForState(boConnection, isLive)

    // Clear the screen, retitle the window, ring the bell, a C1 CSI, a carriage return that would overwrite the line.
    boConnection.send('{ESC}[2J{ESC}]0;owned{BEL} {CSI}31mred{CR}fake line')
    await cli.waitFor('␛[2J␛]0;owned␇ \ufffd31mred␍fake line')
    expect(cli.text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/)
    cli.type('/quit')
    expect(await cli.exit).toBe(0)
  })

  it('indents the lines of a multi-line message and replaces bidirectional overrides', async () => {
    const cli = startCli(['--server', stack.backend.url, '--user', uniqueName('ana'), '--register', '--create', 'Lines'])
    await cli.waitFor('* live')
    const bo = await signedInApi(stack.backend.url, uniqueName('bo'))
    const boConnection = openConnection(bo.api, roomIdIn(cli.text)!)
    await waitForState(boConnection, isLive)

    boConnection.send('first line\n[12:00] admin: forged\u202egnp.exe')
    const line = await cli.waitFor(new RegExp(`\\] ${bo.username}: first line\\n.*\\n`))
    expect(line).toMatch(/\n {2,}\[12:00\] admin: forged\ufffdgnp\.exe\n$/)
    cli.type('/quit')
    expect(await cli.exit).toBe(0)
  })

  it('lists the user\'s rooms when no room is given, joins the one chosen by number and prints its recent messages', async () => {
    const ana = await signedInApi(stack.backend.url, uniqueName('ana'))
    await ana.api.createRoom('First')
    const { roomId } = await ana.api.createRoom('Second')
    const writer = openConnection(ana.api, roomId)
    await waitForState(writer, isLive)
    writer.send('an earlier message')
    await waitForState(writer, (s) => s.messages.length === 1 && s.pending.length === 0)
    writer.dispose()

    const cli = startCli(['--server', stack.backend.url, '--user', ana.username])
    await cli.waitFor('Your rooms:')
    const list = await cli.waitFor(/1\) \w+ .*\n\s+2\) \w+ .*\n/)
    const number = /(\d)\) Second/.exec(list)![1]!
    cli.type(number)
    await cli.waitFor('* live')
    expect(cli.text).toContain(`room ${roomId} ·`)
    expect(cli.text).toMatch(new RegExp(`\\[\\d\\d:\\d\\d\\] ${ana.username}: an earlier message\\n`))

    const before = cli.text.length
    cli.type('/history')
    await cli.waitFor('* This is the beginning of the conversation.', before)
    cli.type('/link')
    await cli.waitFor(`${stack.backend.url}/rooms/${roomId}`, before)
    cli.type('/quit')
    expect(await cli.exit).toBe(0)
  })

  it('announces its own status to others and prints theirs', async () => {
    const ana = uniqueName('ana')
    const cli = startCli(['--server', stack.backend.url, '--user', ana, '--register', '--create', 'Status room'])
    await cli.waitFor('* live')
    const bo = await signedInApi(stack.backend.url, uniqueName('bo'))
    const boConnection = openConnection(bo.api, roomIdIn(cli.text)!)
    await waitForState(boConnection, isLive)

    cli.type('/status away')
    await waitForState(boConnection, (s) => s.members.some((m) => m.username === ana && m.status === 'away'))
    boConnection.setOwnStatus('dnd')
    await cli.waitFor(`* ${bo.username} is do not disturb`)
    cli.type('/status sleepy')
    await cli.waitFor('Usage: /status online|away|dnd')
    cli.type('/quit')
    expect(await cli.exit).toBe(0)
  })

  it('says when someone draws on or erases from the board, and tells a run of changes once', async () => {
    const cli = startCli(['--server', stack.backend.url, '--user', uniqueName('ana'), '--register', '--create', 'Board room'])
    await cli.waitFor('* live')
    const drawer = async (name: string) => {
      const { api, username } = await signedInApi(stack.backend.url, uniqueName(name))
      const { host, token } = await api.joinRoom(roomIdIn(cli.text)!)
      const socket = new WebSocket(handshakeUrl({ host, token, secure: false }))
      await new Promise((resolve) => socket.once('message', resolve))
      await cli.waitFor(`* ${username} joined`)
      return { username, send: (frame: unknown) => socket.send(JSON.stringify(frame)), close: () => socket.close() }
    }
    const bo = await drawer('bo')
    const cy = await drawer('cy')
    const shape = { id: 's1', type: 'ellipse', x: 0, y: 0, width: 5, height: 5, color: '#000000', strokeWidth: 1 }
    bo.send({ type: 'shape_create', shape })
    await cli.waitFor(`* ${bo.username} drew an ellipse on the board`)
    // A drag: many changes, told once.
    for (let version = 1; version <= 5; version++) cy.send({ type: 'shape_update', id: 's1', version, changes: { x: version } })
    cy.send({ type: 'shape_delete', id: 's1' })
    await cli.waitFor(`* ${cy.username} erased a shape from the board`)
    expect(cli.text.split(`* ${cy.username} changed the board`)).toHaveLength(2)
    bo.close()
    cy.close()
    cli.type('/quit')
    expect(await cli.exit).toBe(0)
  })

  it('quits cleanly with 0 when the input ends (Ctrl-D)', async () => {
    const cli = startCli(['--server', stack.backend.url, '--user', uniqueName('ana'), '--register', '--create', 'Short'])
    await cli.waitFor('* live')
    cli.input.end()
    expect(await cli.exit).toBe(0)
  })

  it('says the room does not exist and exits with 1', async () => {
    const ana = await signedInApi(stack.backend.url, uniqueName('ana'))
    const cli = startCli(['--server', stack.backend.url, '--user', ana.username, '--room', 'NoSuchRoom12'])
    expect(await cli.exit).toBe(1)
    expect(cli.text).toContain('Room not found')
  })

  it('refuses a wrong password with the server\'s reason and exits with 1', async () => {
    const ana = await signedInApi(stack.backend.url, uniqueName('ana'))
    const cli = startCli(['--server', stack.backend.url, '--user', ana.username, '--create', 'x'], { CHAT_PASSWORD: 'not the password' })
    expect(await cli.exit).toBe(1)
    expect(cli.text).toMatch(/^chat: .+/m)
    expect(cli.text).not.toContain('* live')
  })

  it('reads the password from the input when CHAT_PASSWORD is not set', async () => {
    const ana = await signedInApi(stack.backend.url, uniqueName('ana'))
    const cli = startCli(['--server', stack.backend.url, '--user', ana.username, '--create', 'Prompted'], {})
    await cli.waitFor(`Password for ${ana.username}: `)
    cli.type(PASSWORD)
    await cli.waitFor('* live')
    expect(cli.text).not.toContain(PASSWORD)
    cli.type('/quit')
    expect(await cli.exit).toBe(0)
  })
})

describe('runChat arguments', () => {
  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--room', 'abcdefghijkl', '--create', 'Team'], 'give --room or --create, not both'],
    [['--room', 'not a room'], '--room must be a room id or a room link'],
    [['--server', 'ftp://example.com'], '--server must be an http:// or https:// URL'],
    [['--user'], "Option '--user <value>' argument missing"],
    [['extra'], 'Unexpected argument'],
    [['--send', 'hi'], '--send needs --room or --create'],
    [['--room', 'abcdefghijkl', '--send', ' '], '--send needs a message'],
  ])('%j is a usage error with exit code 2, before any network call', async (argv, message) => {
    let fetched = false
    const output = new PassThrough()
    let text = ''
    output.on('data', (chunk: Buffer) => (text += chunk.toString()))
    const code = await runChat({
      argv,
      env: {},
      input: new PassThrough(),
      output,
      fetch: async () => {
        fetched = true
        throw new Error('no network in this test')
      },
    })
    expect(code).toBe(2)
    expect(text).toContain(message)
    expect(text).toContain('Usage: npm run chat')
    expect(fetched).toBe(false)
  })

  it('takes the argument after an option as its value even when it begins with "-" (a room id, a message)', () => {
    // Room ids are base64url: one in 64 begins with "-", which parseArgs alone refuses as ambiguous.
    expect(parseChatArgs(['--room', '-Ab3dEf9hIjK', '--send', '- done', '--user', 'ana'], {})).toMatchObject({
      ok: true,
      help: false,
      args: { room: { kind: 'join', roomId: '-Ab3dEf9hIjK' }, send: '- done', user: 'ana' },
    })
    expect(parseChatArgs(['--room=-Ab3dEf9hIjK'], {})).toMatchObject({ ok: true, args: { room: { kind: 'join', roomId: '-Ab3dEf9hIjK' } } })
  })

  it('--help prints the usage and exits with 0', async () => {
    const output = new PassThrough()
    let text = ''
    output.on('data', (chunk: Buffer) => (text += chunk.toString()))
    expect(await runChat({ argv: ['--help'], env: {}, input: new PassThrough(), output })).toBe(0)
    expect(text).toContain('--create <name>')
  })
})
