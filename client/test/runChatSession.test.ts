/**
 * The terminal client as a session: moving between rooms, leaving, its own typing and idle
 * presence from keystrokes, and the ways a script uses it (piped lines, `--send`), against the
 * REAL servers (see runChat.test.ts for the chat itself and the arguments).
 */
import { describe, expect, it } from 'vitest'
import type { ChatState } from '../src/room/connection/ChatConnection.js'
import { isLive, openConnection, signedInApi, uniqueName, waitForState } from './helpers/connections.js'
import { roomIdIn, startCli, useTerminalStack } from './helpers/terminalCli.js'

const suite = useTerminalStack()

describe('the terminal client as a session', () => {
  it('/leave leaves the room (the others see it) and offers the user’s rooms; an owner alone is told to delete it instead and stays', async () => {
    const ana = uniqueName('ana')
    const cli = startCli(['--server', suite.stack.backend.url, '--user', ana, '--register', '--create', 'Leave room'])
    await cli.waitFor('* live')
    cli.type('/leave')
    await cli.waitFor('Could not leave: you are the only member of this room: delete it instead')
    const bo = await signedInApi(suite.stack.backend.url, uniqueName('bo'))
    const roomId = roomIdIn(cli.text)!
    const boConnection = openConnection(bo.api, roomId)
    await waitForState(boConnection, isLive)
    cli.type('/leave')
    await cli.waitFor('You left the room')
    await waitForState(boConnection, (s) => s.members.every((m) => m.username !== ana) && s.room?.ownerId === bo.userId)
    await cli.waitFor('You have no rooms yet.')
    await cli.waitFor('room link or id, or "new <name>"')
    cli.input.end()
    expect(await cli.exit).toBe(0)
  })

  it('moves between rooms without signing in again: /create, /rooms, /join by number and by link, /history n, /clear', async () => {
    const cli = startCli(['--server', suite.stack.backend.url, '--user', uniqueName('ana'), '--register', '--create', 'First'])
    await cli.waitFor('* live')
    const first = roomIdIn(cli.text)!
    // A long conversation in the first room, from another member, for /history.
    const bo = await signedInApi(suite.stack.backend.url, uniqueName('bo'))
    const boConnection = openConnection(bo.api, first)
    await waitForState(boConnection, isLive)
    for (let i = 1; i <= 230; i++) boConnection.send(`line ${i}`)
    await waitForState(boConnection, (s) => s.pending.length === 0 && s.messages.length === 230)

    let from = cli.text.length
    cli.type('/create Second')
    await cli.waitFor('── Second ──', from)
    await cli.waitFor('* live', from)
    cli.type('/create')
    await cli.waitFor('Usage: /create <room name>', from)
    cli.type('/join nonsense!')
    await cli.waitFor('Usage: /join', from)
    cli.type('/rooms')
    await cli.waitFor('/join <number> opens one', from)
    // Most recently active first: the room just created, then the first one.
    expect(cli.text.slice(from)).toMatch(/1\) Second .*\n {2}2\) First /)
    from = cli.text.length
    cli.type('/join 2')
    await cli.waitFor('── First ──', from)
    await cli.waitFor('line 230', from)
    expect(cli.text.slice(from)).not.toContain('line 130\n')
    // Two at once: the second says so rather than looping on a page already loading.
    cli.type('/history 5')
    cli.type('/history 5')
    await cli.waitFor('older messages are loading already', from)
    await cli.waitFor('line 81\n', from)
    // Across pages: 80 more are two pages of 50.
    cli.type('/history 80')
    await cli.waitFor(/: line 1\n/, from)
    cli.type('/history 0')
    await cli.waitFor('Usage: /history [n]', from)
    cli.type('/clear')
    from = cli.text.length
    cli.type(`/join ${suite.stack.backend.url}/rooms/${first}`)
    await cli.waitFor('you are in that room', from)
    cli.type('/quit')
    expect(await cli.exit).toBe(0)
  })

  it('/rooms shows what is unread in each room, mentions too; what it printed it marks read', async () => {
    const ana = await signedInApi(suite.stack.backend.url, uniqueName('ana'))
    const bo = await signedInApi(suite.stack.backend.url, uniqueName('bo'))
    const { roomId } = await bo.api.createRoom('Team B')
    await ana.api.joinRoom(roomId)
    const boConnection = openConnection(bo.api, roomId)
    await waitForState(boConnection, isLive)
    boConnection.send('morning')
    boConnection.send(`@${ana.username} can you look?`)
    await waitForState(boConnection, (s) => s.messages.length === 2)

    const cli = startCli(['--server', suite.stack.backend.url, '--user', ana.username, '--create', 'Here'])
    await cli.waitFor('* live')
    let from = cli.text.length
    cli.type('/rooms')
    const line = await cli.waitFor(/(\d+)\) Team B \(bo\S*\) · 2 unread messages, 1 mention\n/, from)
    expect(cli.text.slice(from)).toMatch(/\) Here \(ana\S*\)\n/)
    // Another tab of Ana's in Team B hears of what the terminal read.
    const anaTab = openConnection(ana.api, roomId)
    expect((await waitForState(anaTab, isLive)).readSeq).toBe(0)
    from = cli.text.length
    cli.type(`/join ${/(\d+)\)/.exec(line)![1]}`)
    await cli.waitFor('can you look?', from)
    await waitForState(anaTab, (s) => s.readSeq === 2)
    cli.type('/quit')
    expect(await cli.exit).toBe(0)
  })

  it('announces its own typing from keystrokes, and goes away when idle and back on the next key', async () => {
    const ana = uniqueName('ana')
    const cli = startCli(['--server', suite.stack.backend.url, '--user', ana, '--register', '--create', 'Keys'], undefined, undefined, {
      tty: true,
      // Long enough that the keystrokes' "online" reaches the room before the next idle spell.
      awayAfterMs: 1500,
    })
    await cli.waitFor('* live')
    const bo = await signedInApi(suite.stack.backend.url, uniqueName('bo'))
    const boConnection = openConnection(bo.api, roomIdIn(cli.text)!)
    await waitForState(boConnection, isLive)
    const anaIs = (status: string) => (s: ChatState) => s.members.some((m) => m.username === ana && m.status === status)
    await waitForState(boConnection, anaIs('away'))
    cli.input.write('hel')
    await waitForState(boConnection, (s) => s.typing.some((t) => t.username === ana))
    await waitForState(boConnection, anaIs('online'))
    cli.input.write('lo\r')
    await waitForState(boConnection, (s) => s.messages.some((m) => m.text === 'hello') && s.typing.length === 0)
    cli.input.write('/quit\r')
    expect(await cli.exit).toBe(0)
  })

  it('sends piped lines and, at the end of the input, waits for them to be stored (0) or refused (1)', async () => {
    const ana = await signedInApi(suite.stack.backend.url, uniqueName('ana'))
    const { roomId } = await ana.api.createRoom('Script')
    const piped = startCli(['--server', suite.stack.backend.url, '--user', ana.username, '--room', roomId])
    for (let i = 1; i <= 20; i++) piped.type(`scripted ${i}`)
    piped.input.end()
    expect(await piped.exit).toBe(0)
    const reader = openConnection(ana.api, roomId)
    expect((await waitForState(reader, isLive)).messages.map((m) => m.text)).toEqual(Array.from({ length: 20 }, (_, i) => `scripted ${i + 1}`))

    const refused = startCli(['--server', suite.stack.backend.url, '--user', ana.username, '--room', roomId])
    refused.type('x'.repeat(1001))
    refused.input.end()
    expect(await refused.exit).toBe(1)
    expect(refused.text).toContain('1 message was not sent.')
  })

  it('--send sends one message and exits with 0 once it is stored', async () => {
    const ana = await signedInApi(suite.stack.backend.url, uniqueName('ana'))
    const { roomId } = await ana.api.createRoom('One shot')
    const cli = startCli(['--server', suite.stack.backend.url, '--user', ana.username, '--room', roomId, '--send', 'deploy finished'])
    expect(await cli.exit).toBe(0)
    const reader = openConnection(ana.api, roomId)
    expect((await waitForState(reader, isLive)).messages.map((m) => m.text)).toEqual(['deploy finished'])
  })
})
