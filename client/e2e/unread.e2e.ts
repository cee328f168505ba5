/**
 * Unread messages and mentions, in Chromium against the real servers: Bo writes while Ana is in
 * the lobby; the lobby shows the count, a mention and the latest message; Ana opens the room at
 * "New messages"; back in the lobby (and in her other tab, at once) the count is gone.
 */
import type { Page } from 'playwright-core'
import { describe, expect, it, vi } from 'vitest'
import { captureScreen } from './helpers/browser.js'
import { createRoom, message, messageList, sendMessage, waitUntilLive } from './helpers/roomPage.js'
import { useE2eSuite } from './helpers/suite.js'

const suite = useE2eSuite({ sessionEnv: { MESSAGE_RATE_PER_MINUTE: '10000', MESSAGE_BURST: '1000', FRAMES_PER_SECOND: '10000' } })

const signedIn = (base: string) => suite.signedIn(base)

/** The room's entry in "Your rooms" (a link named by everything it says). */
const roomEntry = (page: Page, room: string) => page.getByRole('region', { name: 'Your rooms' }).getByRole('link', { name: new RegExp(`^${room}`) })

/** The window comes back to the front: the lobby fetches the list again (headless Chromium never loses focus by itself). */
const refocus = (page: Page) => page.evaluate(() => window.dispatchEvent(new Event('focus')))

describe('unread messages and mentions', () => {
  it('are counted in the lobby, start at "New messages" in the room, and are gone once read, in every tab', async () => {
    const ana = await signedIn('ana')
    const bo = await signedIn('bo')
    const link = await createRoom(ana.page, 'Unread')
    await sendMessage(ana.page, 'Anyone here?')
    await message(ana.page, 'Anyone here?').waitFor()
    await ana.page.getByRole('link', { name: 'Scalable Chat' }).first().click()
    await roomEntry(ana.page, 'Unread').waitFor()
    // A second tab of Ana's, on the lobby too.
    const otherTab = await ana.context.newPage()
    await otherTab.goto(suite.stack.appUrl)
    await roomEntry(otherTab, 'Unread').waitFor()

    await bo.page.goto(link)
    await waitUntilLive(bo.page)
    for (const text of ['Yes, Bo here', `@${ana.name} can you review the plan?`, 'No rush, it can wait until after lunch — I will be around all afternoon']) {
      await sendMessage(bo.page, text)
      await message(bo.page, text).waitFor()
    }

    await refocus(ana.page)
    const entry = roomEntry(ana.page, 'Unread')
    await ana.page.getByRole('link', { name: /3 unread messages, 1 mention\./ }).waitFor()
    expect(await entry.getByText('@1', { exact: true }).isVisible()).toBe(true)
    expect(await entry.getByText('3', { exact: true }).isVisible()).toBe(true)
    expect(await entry.textContent()).toContain(`${bo.name}: No rush, it can wait`)
    await captureScreen(ana.page, 'lobby-unread')
    await refocus(otherTab)
    await otherTab.getByRole('link', { name: /3 unread messages, 1 mention\./ }).waitFor()

    await entry.click()
    await waitUntilLive(ana.page)
    // "New messages" sits between what Ana had read and what Bo wrote since.
    const items = messageList(ana.page).locator('ol > li')
    const texts = await items.allTextContents()
    const divider = texts.indexOf('New messages')
    expect(divider).toBeGreaterThan(0)
    expect(texts[divider - 1]).toContain('Anyone here?')
    expect(texts[divider + 1]).toContain('Yes, Bo here')
    await captureScreen(ana.page, 'room-unread-divider')

    // Her other tab's lobby is told at once, without fetching anything.
    await roomEntry(otherTab, 'Unread').waitFor()
    await otherTab.getByRole('link', { name: /unread message/ }).waitFor({ state: 'detached' })

    await ana.page.getByRole('link', { name: 'Scalable Chat' }).first().click()
    await roomEntry(ana.page, 'Unread').waitFor()
    expect(await roomEntry(ana.page, 'Unread').textContent()).not.toMatch(/unread/)
    // And the backend knows too: a fresh load (nothing known in this tab) counts nothing.
    await otherTab.reload()
    await roomEntry(otherTab, 'Unread').waitFor()
    // (stored when Ana's last connection to the room closed; each try fetches the list again, as focus does)
    await vi.waitFor(
      async () => {
        await refocus(otherTab)
        expect(await roomEntry(otherTab, 'Unread').textContent()).not.toMatch(/unread/)
      },
      { timeout: 10_000, interval: 200 },
    )
    await captureScreen(ana.page, 'lobby-read')
  })
})
