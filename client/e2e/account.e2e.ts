/**
 * Signing in and out, the lobby, and every input a person can get wrong, in headless Chromium
 * against the real servers. This file's session server keeps its DEFAULT limits (chat.e2e.ts
 * raises them), so the refused-send test lives here.
 */
import type { Locator, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { captureScreen, registerInUi, uniqueName } from './helpers/browser.js'
import { createRoom, message, messageList, sendMessage } from './helpers/roomPage.js'
import { useE2eSuite } from './helpers/suite.js'

const suite = useE2eSuite()

async function openPage(path = '/'): Promise<Page> {
  const context = await suite.newContext()
  const page = await context.newPage()
  await page.goto(suite.stack.appUrl + path)
  return page
}

const form = (page: Page) => page.locator('form')
const errorOf = (page: Page, label: string) => page.getByLabel(label).locator('xpath=following-sibling::p[contains(@class,"field-error")]')

describe('sign in and register', () => {
  it('sends a signed-out visitor to the sign-in screen', async () => {
    const page = await openPage('/')
    await page.waitForURL('**/signin')
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await captureScreen(page, 'signin')
  })

  it('explains invalid registrations in plain words, per field, and creates no account', async () => {
    const page = await openPage('/signin')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByLabel('Username').fill('ab')
    await page.getByLabel('Password').fill('short')
    await form(page).getByRole('button', { name: 'Create an account' }).click()
    expect(await errorOf(page, 'Username').textContent()).toBe('Username must be at least 3 characters.')
    expect(await errorOf(page, 'Password').textContent()).toBe('Password must be at least 8 characters.')
    expect(await page.getByLabel('Username').getAttribute('aria-invalid')).toBe('true')
    await captureScreen(page, 'register-errors')

    await page.getByLabel('Username').fill('no spaces allowed')
    await page.getByLabel('Password').fill('long enough password')
    await form(page).getByRole('button', { name: 'Create an account' }).click()
    expect(await errorOf(page, 'Username').textContent()).toBe('Username may contain only letters, digits, _ and -.')
    expect(page.url()).toContain('/signin')
  })

  it('says when a username is taken', async () => {
    const name = uniqueName('taken')
    const first = await openPage('/signin')
    await registerInUi(first, name)
    const page = await openPage('/signin')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByLabel('Username').fill(name)
    await page.getByLabel('Password').fill('another good password')
    await form(page).getByRole('button', { name: 'Create an account' }).click()
    await errorOf(page, 'Username').getByText('That username is taken. Try another one.').waitFor()
    expect(page.url()).toContain('/signin')
  })

  it('refuses a wrong password with one calm message, and empty fields before asking the server', async () => {
    const name = uniqueName('wrongpw')
    await registerInUi(await openPage('/signin'), name)
    const page = await openPage('/signin')
    await form(page).getByRole('button', { name: 'Sign in', exact: true }).click()
    expect(await errorOf(page, 'Username').textContent()).toBe('Enter your username.')
    expect(await errorOf(page, 'Password').textContent()).toBe('Enter your password.')

    await page.getByLabel('Username').fill(name)
    await page.getByLabel('Password').fill('not the password')
    await form(page).getByRole('button', { name: 'Sign in', exact: true }).click()
    await page.getByRole('alert').getByText('That username and password do not match an account.').waitFor()
    await captureScreen(page, 'signin-error')
    expect(page.url()).toContain('/signin')
  })

  it('keeps the session across a reload, and signing out ends it', async () => {
    const name = uniqueName('reload')
    const page = await openPage('/signin')
    await registerInUi(page, name)
    await page.getByRole('heading', { name: 'Your rooms' }).waitFor()
    await page.reload()
    await page.getByRole('heading', { name: 'Your rooms' }).waitFor()
    expect(await page.getByText(`Signed in as ${name}`).count()).toBe(1)

    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL('**/signin')
    await page.reload()
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    expect(await page.evaluate(() => localStorage.length)).toBe(0)
  })
})

describe('lobby', () => {
  it('creates a room, lists it with its last activity, and refuses an empty name or a bad link', async () => {
    const page = await openPage('/signin')
    await registerInUi(page, uniqueName('lobby'))
    await page.getByText('No rooms yet.', { exact: false }).waitFor()
    await captureScreen(page, 'lobby-empty')

    await page.getByRole('button', { name: 'Create', exact: true }).click()
    await page.getByRole('alert').getByText('Give the room a name.').waitFor()
    await page.getByLabel('Room link or ID').fill('https://example.com/not-a-room')
    await page.getByRole('button', { name: 'Join', exact: true }).click()
    await page.getByRole('alert').getByText('Paste a room link (…/rooms/…) or a room ID.').waitFor()
    expect(new URL(page.url()).pathname).toBe('/')

    await page.getByLabel('Room name').fill('Weekend plans')
    await page.getByRole('button', { name: 'Create', exact: true }).click()
    await page.waitForURL('**/rooms/*')
    await page.getByRole('heading', { name: 'Weekend plans' }).waitFor()
    await page.getByRole('link', { name: 'Scalable Chat' }).click()
    const room = page.getByRole('link', { name: /Weekend plans/ })
    await room.waitFor()
    expect(await room.textContent()).toMatch(/Yours.*(just now|now|\d+ ?s)/i)
    await captureScreen(page, 'lobby')
  })

  it('joins a room by its pasted link', async () => {
    const owner = await openPage('/signin')
    await registerInUi(owner, uniqueName('owner'))
    await owner.getByLabel('Room name').fill('Pasted')
    await owner.getByRole('button', { name: 'Create', exact: true }).click()
    await owner.waitForURL('**/rooms/*')
    const link = owner.url()

    const guest = await openPage('/signin')
    await registerInUi(guest, uniqueName('guest'))
    await guest.getByLabel('Room link or ID').fill(`  ${link}  `)
    await guest.getByRole('button', { name: 'Join', exact: true }).click()
    await guest.getByRole('heading', { name: 'Pasted' }).waitFor()
    expect(guest.url()).toBe(link)
  })

  it('finds a public room in the directory by searching, joins it, and its owner can unlist it again', async () => {
    const owner = await openPage('/signin')
    await registerInUi(owner, uniqueName('host'))
    const tag = uniqueName('quiz')
    await owner.getByLabel('Room name').fill(`Pub ${tag}`)
    await owner.getByLabel('List it in public rooms', { exact: false }).check()
    await owner.getByLabel('Description (optional)').fill('Trivia every Thursday')
    await owner.getByRole('button', { name: 'Create', exact: true }).click()
    await owner.waitForURL('**/rooms/*')
    await owner.getByText(/1 person here/).waitFor()

    const visitor = await openPage('/signin')
    await registerInUi(visitor, uniqueName('visitor'))
    const directory = visitor.getByRole('list', { name: 'Public rooms' })
    await visitor.getByRole('searchbox', { name: 'Search public rooms' }).fill('trivia every')
    const listed = directory.getByRole('link', { name: new RegExp(`Pub ${tag}`) })
    await listed.waitFor()
    expect(await listed.textContent()).toContain('Trivia every Thursday')
    expect(await listed.textContent()).toContain('1 member · 1 online')
    await captureScreen(visitor, 'lobby-public-rooms')
    await visitor.getByRole('searchbox', { name: 'Search public rooms' }).fill(`${tag} nothing like it`)
    await visitor.getByText(/No public room matches/).waitFor()
    await visitor.getByRole('searchbox', { name: 'Search public rooms' }).fill(tag)
    await listed.click()
    await visitor.getByRole('heading', { name: `Pub ${tag}` }).waitFor()
    await owner.getByText(/2 people here/).waitFor()

    // The owner's settings sit under the members: unlisted again, it leaves the directory.
    const settings = owner.getByRole('form', { name: 'Room settings' })
    await captureScreen(owner, 'room-owner-settings')
    await settings.getByLabel('Listed in public rooms').uncheck()
    await settings.getByRole('button', { name: 'Save' }).click()
    await settings.getByText('Saved').waitFor()
    await visitor.goto(suite.stack.appUrl + '/')
    await visitor.getByRole('searchbox', { name: 'Search public rooms' }).fill(tag)
    await visitor.getByText(/No public room matches/).waitFor()
    // Still the visitor's room: joined, it stays in their list.
    await visitor.getByRole('link', { name: new RegExp(`Pub ${tag}`) }).waitFor()
  })

  it('opens a deep link after signing in, when it was followed signed out', async () => {
    const owner = await openPage('/signin')
    await registerInUi(owner, uniqueName('deepowner'))
    await owner.getByLabel('Room name').fill('Deep link')
    await owner.getByRole('button', { name: 'Create', exact: true }).click()
    await owner.waitForURL('**/rooms/*')
    const path = new URL(owner.url()).pathname

    const guest = await openPage(path)
    await guest.waitForURL('**/signin?next=*')
    await guest.getByText('Sign in to join the room you were invited to.').waitFor()
    await registerInUi(guest, uniqueName('deepguest'))
    await guest.getByRole('heading', { name: 'Deep link' }).waitFor()
    expect(new URL(guest.url()).pathname).toBe(path)
  })

  it('shows clear pages for a room that does not exist and an unknown address', async () => {
    const page = await openPage('/signin')
    await registerInUi(page, uniqueName('lost'))
    await page.goto(`${suite.stack.appUrl}/rooms/doesNotExist12345`)
    await page.getByRole('heading', { name: 'Room not found' }).waitFor()
    await captureScreen(page, 'room-not-found')
    await page.goto(`${suite.stack.appUrl}/no/such/page`)
    await page.getByRole('heading', { name: 'Page not found' }).waitFor()
    await page.getByRole('link', { name: 'Go to your rooms' }).click()
    await page.getByRole('heading', { name: 'Your rooms' }).waitFor()
  })
})

describe('a refused message', () => {
  it('shows why it was not sent and offers Retry, which sends it once', async () => {
    const page = await openPage('/signin')
    await registerInUi(page, uniqueName('hasty'))
    await createRoom(page, 'Hasty')
    // The default burst is 5 messages within 2 s: the 6th and 7th are refused.
    const texts = Array.from({ length: 7 }, (_, i) => `quick ${i + 1}`)
    for (const text of texts) await sendMessage(page, text)
    const notSent = messageList(page).getByRole('alert').filter({ hasText: 'Not sent: Sending too fast' })
    await notSent.first().waitFor()
    await captureScreen(page, 'room-send-failed')

    // Retry is offered until the allowance refills; each click re-sends with the same clientId.
    await expect
      .poll(
        async () => {
          const retry = messageList(page).getByRole('button', { name: 'Retry' }).first()
          if (await retry.isVisible()) await retry.click()
          return Promise.all(texts.map((text) => message(page, text).count()))
        },
        { interval: 500, timeout: 20_000 },
      )
      .toEqual(texts.map(() => 1))
    expect(await notSent.count()).toBe(0)
  })
})

describe('keyboard only', () => {
  /** Presses Tab until `target` has the focus (a bounded number of times), as a keyboard user would. */
  async function tabTo(page: Page, target: Locator) {
    const hasFocus = () => target.evaluate((element) => element === document.activeElement)
    for (let presses = 0; presses < 15 && !(await hasFocus()); presses++) await page.keyboard.press('Tab')
    expect(await hasFocus()).toBe(true)
  }

  it('registers, creates a room and sends a message without a mouse', async () => {
    const page = await openPage('/signin')
    await tabTo(page, page.getByRole('button', { name: 'Create account' }))
    await page.keyboard.press('Enter')
    await tabTo(page, page.getByLabel('Username'))
    await page.keyboard.type(uniqueName('keys'))
    await tabTo(page, page.getByLabel('Password'))
    await page.keyboard.type('correct horse battery')
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { name: 'Your rooms' }).waitFor()

    await tabTo(page, page.getByLabel('Room name'))
    await page.keyboard.type('Keys')
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { name: 'Keys' }).waitFor()
    await tabTo(page, page.getByRole('textbox', { name: 'Message Keys' }))
    await page.keyboard.type('sent with the keyboard')
    await page.keyboard.press('Enter')
    await message(page, 'sent with the keyboard').waitFor()
  })
})
