/**
 * The terminal client's `/edit`, `/delete` and `/react`, driven like a person at a terminal,
 * against the REAL servers; a web-client connection in the room is the other person.
 */
import { describe, expect, it } from 'vitest'
import { isLive, openConnection, signedInApi, uniqueName, waitForState } from './helpers/connections.js'
import { roomIdIn, startCli, useTerminalStack } from './helpers/terminalCli.js'

const suite = useTerminalStack()

describe('the terminal client changes messages', () => {
  it('/edit, /react and /delete its own messages by default and by #seq; the other person sees each change; others’ messages stay theirs', async () => {
    const ana = uniqueName('ana')
    const cli = startCli(['--server', suite.stack.backend.url, '--user', ana, '--register', '--create', 'Edits'])
    await cli.waitFor('* live')
    const bo = await signedInApi(suite.stack.backend.url, uniqueName('bo'))
    const boView = openConnection(bo.api, roomIdIn(cli.text)!)
    await waitForState(boView, isLive)

    cli.type('helo wrld')
    const first = Number((await cli.waitFor(/#(\d+) \[\d\d:\d\d\] \S+: helo wrld\n/)).match(/#(\d+)/)![1])
    cli.type('second one')
    await cli.waitFor(/\] \S+: second one\n/)
    cli.type(`/edit #${first} hello world`)
    await cli.waitFor(`* ${ana} edited #${first}: hello world`)
    await waitForState(boView, (s) => s.messages.some((m) => m.seq === first && m.text === 'hello world' && m.editedAt !== undefined))

    // Without #seq: the latest of one's own.
    cli.type('/edit 2nd, edited')
    await cli.waitFor(/edited #\d+: 2nd, edited/)
    cli.type(`/react #${first} 🎉`)
    await cli.waitFor(`* ${ana} reacted 🎉 to #${first}`)
    await waitForState(boView, (s) => s.messages.find((m) => m.seq === first)?.reactions?.[0]?.emoji === '🎉')
    cli.type(`/react #${first} 🎉`)
    await cli.waitFor(`* ${ana} took back 🎉 on #${first}`)
    cli.type('/delete')
    await cli.waitFor(/deleted #\d+/)
    await waitForState(boView, (s) => s.messages.filter((m) => m.deleted).length === 1 && s.messages.find((m) => m.deleted)?.text === '')

    // Bo's message: Ana may react, not edit or delete.
    boView.send('from bo')
    const boSeq = Number((await cli.waitFor(/#(\d+) \[\d\d:\d\d\] \S+: from bo\n/)).match(/#(\d+)/)![1])
    cli.type(`/edit #${boSeq} mine now`)
    await cli.waitFor(`#${boSeq} is not yours: only its author may change it`)
    cli.type(`/delete ${boSeq}`)
    await cli.waitFor(`#${boSeq} is not yours`)
    cli.type('/react 👍')
    await cli.waitFor(`* ${ana} reacted 👍 to #${boSeq}`)
    cli.type('/react yes')
    await cli.waitFor('one emoji, such as 👍')
    cli.type('/edit')
    await cli.waitFor('Usage: /edit [#seq] <new text>')
    cli.type('/react #999999 👍')
    await cli.waitFor('#999999 is not a message held here')
    expect(boView.getState().messages.find((m) => m.seq === boSeq)?.text).toBe('from bo')
    cli.input.end()
    expect(await cli.exit).toBe(0)
  })

  it('prints the edits and reactions someone else makes', async () => {
    const cli = startCli(['--server', suite.stack.backend.url, '--user', uniqueName('ana'), '--register', '--create', 'Watched'])
    await cli.waitFor('* live')
    const bo = await signedInApi(suite.stack.backend.url, uniqueName('bo'))
    const boView = openConnection(bo.api, roomIdIn(cli.text)!)
    await waitForState(boView, isLive)
    boView.send('typo hree')
    const seq = Number((await cli.waitFor(/#(\d+) \[\d\d:\d\d\] \S+: typo hree\n/)).match(/#(\d+)/)![1])
    boView.edit(seq, 'typo here')
    await cli.waitFor(`edited #${seq}: typo here`)
    boView.react(seq, '👀', true)
    await cli.waitFor(`reacted 👀 to #${seq}`)
    cli.input.end()
    expect(await cli.exit).toBe(0)
  })
})
