/**
 * Guests (the e2e stack runs the backend with ALLOW_GUESTS, as `npm start` does): someone signed
 * out opens Ana's room link, continues as a guest with a name only, chats with Ana, is marked as a
 * guest on both sides, and finds no way to create or join other rooms.
 */
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { captureScreen, registerInUi, uniqueName } from './helpers/browser.js'
import { createRoom, message, messageList, sendMessage, waitUntilLive } from './helpers/roomPage.js'
import { useE2eSuite } from './helpers/suite.js'

const suite = useE2eSuite()

const memberRow = (page: Page, name: string) => page.locator('#members-panel li', { hasText: name })
/** The field that has the keyboard now, by its label. */
const focusedLabel = (page: Page) => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.labels?.[0]?.textContent ?? null)

describe('a guest from a room link', () => {
  it('continues with a name only, chats with Ana, is marked a guest, and cannot reach the lobby’s create form', async () => {
    const ana = await (await suite.newContext()).newPage()
    const anaName = uniqueName('ana')
    await ana.goto(`${suite.stack.appUrl}/signin`)
    await registerInUi(ana, anaName)
    const link = await createRoom(ana, 'Open house')

    // Signed out, the link leads to the sign-in screen, which offers guest entry for that room.
    const guest = await (await suite.newContext()).newPage()
    await guest.goto(link)
    await guest.waitForURL('**/signin?next=*')
    await guest.getByRole('button', { name: 'Continue as a guest' }).waitFor()
    await captureScreen(guest, 'guest-offer')
    await guest.getByRole('button', { name: 'Continue as a guest' }).click()
    await guest.getByRole('heading', { name: 'Continue as a guest' }).waitFor()
    expect(await focusedLabel(guest)).toBe('Your name')
    await captureScreen(guest, 'guest-entry')

    // The rules are checked before sending, and the backend's answers are said per field.
    await guest.keyboard.press('Enter')
    await guest.getByText('Name must be at least 3 characters.').waitFor()
    await guest.getByLabel('Your name').fill('Bo guest')
    await guest.keyboard.press('Enter')
    await guest.getByText('Name may contain only letters, digits, _ and -.').waitFor()
    await guest.getByLabel('Your name').fill(anaName.toUpperCase())
    await guest.keyboard.press('Enter')
    await guest.getByText('That name is taken. Try another one.').waitFor()
    expect(await focusedLabel(guest)).toBe('Your name')
    await captureScreen(guest, 'guest-entry-taken')

    const boName = uniqueName('Bo_guest')
    await guest.getByLabel('Your name').fill(boName)
    await guest.getByRole('button', { name: 'Continue as a guest' }).click()
    await guest.waitForURL(link)
    await waitUntilLive(guest)
    // The header says who they are, that they are a guest, and until when.
    const header = guest.locator('header').first()
    await header.getByText(boName).waitFor()
    await header.getByText('guest', { exact: true }).waitFor()
    await header.locator('time').waitFor()

    await ana.getByText('2 people here').waitFor()
    await sendMessage(guest, 'Hello Ana, a guest here')
    await message(ana, 'Hello Ana, a guest here').waitFor()
    await sendMessage(ana, 'Welcome, guest!')
    await message(guest, 'Welcome, guest!').waitFor()

    // Ana sees the guest mark beside the name, in the members panel and on the message's author line.
    await memberRow(ana, boName).getByText('guest', { exact: true }).waitFor()
    await messageList(ana).locator('li', { hasText: 'Hello Ana, a guest here' }).getByText('guest', { exact: true }).first().waitFor()
    // …and not beside her own name, on either side.
    expect(await memberRow(guest, anaName).getByText('guest', { exact: true }).count()).toBe(0)
    await captureScreen(ana, 'guest-in-room')
    await captureScreen(guest, 'guest-room-as-guest')

    // The guest's lobby: its room, a note on what a guest is, no create, join or directory.
    await guest.getByRole('link', { name: 'Scalable Chat' }).click()
    await guest.getByRole('heading', { name: 'You are here as a guest' }).waitFor()
    await guest.getByRole('link', { name: /Open house/ }).waitFor()
    expect(await guest.getByLabel('Room name').count()).toBe(0)
    expect(await guest.getByRole('button', { name: 'Create', exact: true }).count()).toBe(0)
    expect(await guest.getByRole('heading', { name: /public rooms/i }).count()).toBe(0)
    await captureScreen(guest, 'guest-lobby')
  })

  it('is not offered on the way to the lobby, only on the way to a room', async () => {
    const page = await (await suite.newContext()).newPage()
    await page.goto(`${suite.stack.appUrl}/`)
    await page.waitForURL('**/signin')
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    // The options request is not even made without a room to enter; nothing appears later.
    expect(await page.getByRole('button', { name: 'Continue as a guest' }).count()).toBe(0)
  })
})
