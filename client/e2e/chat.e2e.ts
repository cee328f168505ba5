/**
 * Two people chatting in two browser contexts (two profiles), against the real servers: the link,
 * both directions, typing, presence, reload, history, the composer's rules, deleting the room, and
 * a session server restarted in the middle of the conversation.
 */
import { randomUUID } from 'node:crypto'
import type { AuthResponse, JoinRoomResponse } from '@scalable-chat/backend-contract'
import type { BrowserContext, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { captureScreen, registerInUi, uniqueName } from './helpers/browser.js'
import { banner, composer, countMessages, createRoom, message, messageList, sendMessage, waitUntilLive } from './helpers/roomPage.js'
import { useE2eSuite } from './helpers/suite.js'
import { handshakeUrl } from '@scalable-chat/protocol/handshake-url'

// The default burst (5 in 2 s) and frame rate are for people; these tests type faster than people do.
const suite = useE2eSuite({ sessionEnv: { MESSAGE_RATE_PER_MINUTE: '10000', MESSAGE_BURST: '1000', FRAMES_PER_SECOND: '10000' } })

/** A new person whose page may use the clipboard (the room's "Copy link"). */
async function signedIn(base: string): Promise<{ page: Page; name: string; context: BrowserContext }> {
  const person = await suite.signedIn(base)
  await person.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.stack.appUrl })
  return person
}

/** Ana creates a room, Bo opens its link: both live in it. */
async function twoPeopleInARoom(roomName: string) {
  const ana = await signedIn('ana')
  const bo = await signedIn('bo')
  const link = await createRoom(ana.page, roomName)
  await bo.page.goto(link)
  await waitUntilLive(bo.page)
  await ana.page.getByText('2 people here').waitFor()
  return { ana, bo, link }
}

const memberRow = (page: Page, name: string) => page.locator('#members-panel li', { hasText: name })

describe('two people in a room', () => {
  it('share the link, chat both ways, see each other typing and their presence change', async () => {
    const { ana, bo, link } = await twoPeopleInARoom('Team')

    await ana.page.getByRole('button', { name: 'Copy link' }).click()
    await ana.page.getByRole('button', { name: 'Copied' }).waitFor()
    expect(await ana.page.evaluate(() => navigator.clipboard.readText())).toBe(link)

    await sendMessage(ana.page, 'Hello from Ana')
    await message(bo.page, 'Hello from Ana').waitFor()
    // Screen readers hear messages from others through the polite live region.
    expect(await bo.page.locator('[aria-live="polite"]').last().textContent()).toBe(`${ana.name}: Hello from Ana`)
    await sendMessage(bo.page, 'Hi Ana, Bo here')
    expect(await countMessages(ana.page, ['Hello from Ana', 'Hi Ana, Bo here'])).toEqual([1, 1])
    // Own messages are marked as yours; the other's carry their name.
    await messageList(ana.page).locator('li', { hasText: 'Hello from Ana' }).getByText('You', { exact: true }).first().waitFor()
    await messageList(ana.page).getByText(bo.name, { exact: true }).waitFor()
    // Short times on screen, the full date and time on hover.
    const time = messageList(ana.page).locator('time').first()
    expect(await time.textContent()).toMatch(/^\d{1,2}:\d{2}/)
    expect(await time.getAttribute('title')).toMatch(/\d{4}/)

    await composer(bo.page).pressSequentially('I am typ')
    await ana.page.getByText(`${bo.name} is typing…`).waitFor()
    await composer(bo.page).press('Enter')
    await message(ana.page, 'I am typ').waitFor()
    await ana.page.getByText(`${bo.name} is typing…`).waitFor({ state: 'hidden' })

    // A mention: marked in the text, and the message names Ana for a screen reader.
    await sendMessage(bo.page, `thanks @${ana.name}, see you`)
    await messageList(ana.page).locator('mark', { hasText: `@${ana.name}` }).waitFor()
    await messageList(ana.page).locator('li', { hasText: `@${ana.name}` }).getByText('Mentions you:').waitFor()

    await bo.page.getByLabel('Your status').selectOption('dnd')
    await memberRow(ana.page, bo.name).getByText('Do not disturb').waitFor()
    await bo.page.getByLabel('Your status').selectOption('online')
    await memberRow(ana.page, bo.name).getByText('Do not disturb').waitFor({ state: 'hidden' })
    // A hidden tab counts as away (there is no real second tab in headless Chromium: the page is told).
    await bo.page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true })
      document.dispatchEvent(new Event('visibilitychange'))
    })
    await memberRow(ana.page, bo.name).getByText('Away').waitFor()
    await bo.page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true })
      document.dispatchEvent(new Event('visibilitychange'))
    })
    await memberRow(ana.page, bo.name).getByText('Away').waitFor({ state: 'hidden' })
    await captureScreen(ana.page, 'room')

    await bo.page.close()
    await ana.page.getByText('1 person here').waitFor()
    // Gone, not forgotten: Bo is listed offline, with when he was last here.
    await ana.page.getByRole('list', { name: 'Offline' }).getByText(bo.name).waitFor()
    await memberRow(ana.page, bo.name).getByText('Last seen just now').waitFor()
    await captureScreen(ana.page, 'room-offline-member')
  })

  it('keeps the room and its history across a reload', async () => {
    const { ana, bo } = await twoPeopleInARoom('Reload')
    await sendMessage(ana.page, 'before the reload')
    await sendMessage(bo.page, 'an answer')
    await countMessages(ana.page, ['before the reload', 'an answer'])

    await ana.page.reload()
    await waitUntilLive(ana.page)
    expect(await countMessages(ana.page, ['before the reload', 'an answer'])).toEqual([1, 1])
    await ana.page.getByRole('heading', { name: 'Reload' }).waitFor()
    await sendMessage(ana.page, 'after the reload')
    await message(bo.page, 'after the reload').waitFor()
  })

  it('survives a session server restart mid-conversation: both see the banner, then nothing is lost or doubled', async () => {
    const { ana, bo } = await twoPeopleInARoom('Restart')
    await sendMessage(ana.page, 'before the restart')
    await message(bo.page, 'before the restart').waitFor()

    await suite.stack.stopSessionServer()
    await banner(ana.page).getByText(/Connection lost/).waitFor()
    await banner(bo.page).getByText(/Connection lost/).waitFor()
    await banner(ana.page).getByRole('button', { name: 'Retry now' }).waitFor()
    await captureScreen(ana.page, 'room-reconnecting')

    // Typed during the outage: shown as pending, sent once the room is back.
    await sendMessage(ana.page, 'typed by Ana while the server was down')
    await sendMessage(bo.page, 'typed by Bo while the server was down')
    await messageList(ana.page).getByText('Sending…').waitFor()

    await suite.stack.startSessionServer()
    await banner(ana.page).waitFor({ state: 'hidden' })
    await banner(bo.page).waitFor({ state: 'hidden' })
    // A last message after the re-sends: once it is shown, anything doubled would be too.
    await sendMessage(bo.page, 'after the restart')
    const texts = ['before the restart', 'typed by Ana while the server was down', 'typed by Bo while the server was down', 'after the restart']
    expect(await countMessages(ana.page, texts)).toEqual([1, 1, 1, 1])
    expect(await countMessages(bo.page, texts)).toEqual([1, 1, 1, 1])
    expect(await messageList(ana.page).getByText('Sending…').count()).toBe(0)
  })

  it('lets the owner delete the room after confirming; the other member sees a clear page', async () => {
    const { ana, bo } = await twoPeopleInARoom('Doomed')
    expect(await bo.page.getByRole('button', { name: 'Delete' }).count()).toBe(0)

    await ana.page.getByRole('button', { name: 'Delete' }).click()
    const dialog = ana.page.getByRole('dialog', { name: 'Delete “Doomed”?' })
    await dialog.waitFor()
    await captureScreen(ana.page, 'room-delete-dialog')
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await dialog.waitFor({ state: 'hidden' })
    await sendMessage(ana.page, 'still here')
    await message(bo.page, 'still here').waitFor()

    await ana.page.getByRole('button', { name: 'Delete' }).click()
    await dialog.getByRole('button', { name: 'Delete room' }).click()
    await ana.page.getByRole('heading', { name: 'Your rooms' }).waitFor()
    await bo.page.getByRole('heading', { name: 'This room was deleted' }).waitFor()
    await captureScreen(bo.page, 'room-deleted')
    expect(await ana.page.getByRole('link', { name: /Doomed/ }).count()).toBe(0)
  })

  it('lets a member leave (gone from their rooms, the link joins again), and the owner leave by handing the room over', async () => {
    const { ana, bo, link } = await twoPeopleInARoom('Passing')
    // Bo's second tab is told what happened when he leaves from the first.
    const boTab = await bo.context.newPage()
    await boTab.goto(link)
    await waitUntilLive(boTab)

    await bo.page.getByRole('button', { name: 'Leave' }).click()
    await bo.page.getByRole('heading', { name: 'Your rooms' }).waitFor()
    await bo.page.getByText('No rooms yet.', { exact: false }).waitFor()
    await ana.page.getByText('1 person here').waitFor()
    await boTab.getByRole('heading', { name: 'You left this room' }).waitFor()
    await captureScreen(boTab, 'room-left')
    await boTab.getByRole('button', { name: 'Join again' }).click()
    await waitUntilLive(boTab)
    await ana.page.getByText('2 people here').waitFor()

    // The owner leaves: Bo, who joined after her, owns the room now and may delete it.
    expect(await boTab.getByRole('button', { name: 'Delete' }).count()).toBe(0)
    await ana.page.getByRole('button', { name: 'Leave' }).click()
    await ana.page.getByRole('heading', { name: 'Your rooms' }).waitFor()
    await boTab.getByRole('button', { name: 'Delete' }).waitFor()
    await boTab.getByText('1 person here').waitFor()
    // Alone in it, he may not leave: the room would have no owner.
    await boTab.getByRole('button', { name: 'Leave' }).click()
    await boTab.getByRole('alert').getByText('You are the only member of this room: delete it instead.').waitFor()
  })
})

describe('the composer', () => {
  it('sends on Enter, adds a line on Shift+Enter, counts down near the limit, and links safely', async () => {
    const ana = await signedIn('composer')
    await createRoom(ana.page, 'Composer')

    await composer(ana.page).pressSequentially('first line')
    await composer(ana.page).press('Shift+Enter')
    await composer(ana.page).pressSequentially('second line')
    expect(await composer(ana.page).inputValue()).toBe('first line\nsecond line')
    await composer(ana.page).press('Enter')
    await message(ana.page, 'first line\nsecond line').waitFor()
    expect(await composer(ana.page).inputValue()).toBe('')

    // The session server's default limit is 1000 characters; the counter shows from 100 left.
    await composer(ana.page).fill('x'.repeat(950))
    await ana.page.getByText('50 left').waitFor()
    await composer(ana.page).fill('x'.repeat(1003))
    await ana.page.getByText('3 too many').waitFor()
    expect(await ana.page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true)
    await captureScreen(ana.page, 'room-composer-limit')

    await sendMessage(ana.page, 'docs at https://example.com/guide?a=1 not javascript:alert(1)')
    const link = messageList(ana.page).getByRole('link', { name: 'https://example.com/guide?a=1' })
    await link.waitFor()
    expect(await link.getAttribute('href')).toBe('https://example.com/guide?a=1')
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer')
    expect(await messageList(ana.page).locator('a[href^="javascript:"]').count()).toBe(0)
  })
})

describe('a long conversation', () => {
  it('loads older history when scrolled up, and offers "new messages" instead of jumping away', async () => {
    const reader = await signedIn('reader')
    const link = await createRoom(reader.page, 'Long')
    const roomId = new URL(link).pathname.split('/').at(-1)!
    await writeMessages(roomId, 120)
    await reader.page.reload()
    await waitUntilLive(reader.page)
    await message(reader.page, 'message 120').waitFor()
    // The snapshot holds the latest messages only; the first one is further back.
    expect(await message(reader.page, 'message 1').count()).toBe(0)

    const list = messageList(reader.page)
    for (let page = 0; page < 5 && (await reader.page.getByText('This is the beginning of the conversation.').count()) === 0; page++) {
      await list.evaluate((element) => element.scrollTo({ top: 0 }))
      await reader.page.waitForFunction(() => !document.body.textContent?.includes('Loading earlier messages'))
    }
    await reader.page.getByText('This is the beginning of the conversation.').waitFor()
    expect(await countMessages(reader.page, ['message 1', 'message 60', 'message 120'])).toEqual([1, 1, 1])

    // Scrolled up, a new message does not move the view: a button offers it.
    await writeMessages(roomId, 1, 'while reading')
    await reader.page.getByRole('button', { name: /New message/ }).waitFor()
    await captureScreen(reader.page, 'room-new-messages')
    await reader.page.getByRole('button', { name: /New message/ }).click()
    await reader.page.getByRole('button', { name: /New message/ }).waitFor({ state: 'hidden' })
    await message(reader.page, 'while reading 1').waitFor()
  })
})

/** Another member writes `count` messages straight over the protocol (faster than typing them). */
async function writeMessages(roomId: string, count: number, prefix = 'message'): Promise<void> {
  const call = async <T>(path: string, token: string | null, body?: unknown): Promise<T> => {
    const response = await fetch(`${suite.stack.backend.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`)
    return (await response.json()) as T
  }
  const auth = await call<AuthResponse>('/api/register', null, { username: uniqueName('writer'), password: 'correct horse battery' })
  const join = await call<JoinRoomResponse>(`/api/rooms/${roomId}`, auth.token)
  const socket = new WebSocket(handshakeUrl({ host: join.host, token: join.token, secure: false }))
  await new Promise<void>((resolve, reject) => {
    let stored = 0
    socket.on('error', reject)
    socket.on('close', (code, reason) => reject(new Error(`closed ${code} ${String(reason)}`)))
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string; message?: { userId: string } }
      if (frame.type === 'snapshot') {
        for (let i = 1; i <= count; i++) socket.send(JSON.stringify({ type: 'send', clientId: randomUUID(), text: `${prefix} ${i}` }))
      } else if (frame.type === 'message' && frame.message?.userId === auth.user.id && ++stored === count) {
        resolve()
      } else if (frame.type === 'error') {
        reject(new Error(String(data)))
      }
    })
  })
  socket.close()
}

describe('on a 375-px-wide phone', () => {
  it('fits the screen, and keeps the members in a drawer that opens and closes', async () => {
    const context = await suite.newContext({ phone: true })
    const page = await context.newPage()
    await page.goto(`${suite.stack.appUrl}/signin`)
    await registerInUi(page, uniqueName('phone'))
    await createRoom(page, 'A room with a rather long name for a small phone screen')
    await sendMessage(page, 'Typed on a phone, with a long word: Donaudampfschifffahrtsgesellschaftskapitän')
    await message(page, 'Typed on a phone, with a long word: Donaudampfschifffahrtsgesellschaftskapitän').waitFor()

    await captureScreen(page, 'room-long-name')
    // Nothing sticks out sideways: the page never scrolls horizontally.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375)
    const members = page.getByRole('button', { name: /Members/ })
    expect(await page.locator('#members-panel').isVisible()).toBe(false)
    await members.click()
    await page.locator('#members-panel').getByLabel('Your status').waitFor()
    await captureScreen(page, 'room-members-drawer')
    await page.keyboard.press('Escape')
    await page.locator('#members-panel').getByLabel('Your status').waitFor({ state: 'hidden' })
    expect(await members.getAttribute('aria-expanded')).toBe('false')
  })
})
