/** Steps on the room screen, shared by the e2e files (what a person does, by role and label). */
import type { Locator, Page } from 'playwright-core'

export const messageList = (page: Page): Locator => page.getByRole('region', { name: 'Messages' })
export const composer = (page: Page): Locator => page.getByRole('textbox', { name: /^Message / })
/** The connection banner (role=status), by what it says while not live. */
export const banner = (page: Page): Locator =>
  page.getByRole('status').filter({ hasText: /Connection lost|Reconnecting|offline/ })

/** Creates a room from the lobby and returns its link (what "Copy link" copies). */
export async function createRoom(page: Page, name: string): Promise<string> {
  await page.getByLabel('Room name').fill(name)
  await page.getByRole('button', { name: 'Create', exact: true }).click()
  await page.waitForURL('**/rooms/*')
  await waitUntilLive(page)
  return page.url()
}

/** The room is open and connected: its name is in the header and the composer is enabled. */
export async function waitUntilLive(page: Page): Promise<void> {
  await page.getByText(/\d+ (person|people) here/).waitFor()
  await page.waitForFunction(() => {
    const list = document.querySelector('[role="region"][aria-label="Messages"]')
    return list !== null && !list.textContent?.includes('Connecting to the room')
  })
}

export async function sendMessage(page: Page, text: string): Promise<void> {
  await composer(page).fill(text)
  await composer(page).press('Enter')
}

/** A stored (not pending) message with exactly this text. */
export function message(page: Page, text: string): Locator {
  return messageList(page).locator('li', { hasNotText: /Sending…|Not sent/ }).locator('div').getByText(text, { exact: true })
}

/** Waits until every message in `texts` is shown as stored, then says how often each appears. */
export async function countMessages(page: Page, texts: string[]): Promise<number[]> {
  for (const text of texts) await message(page, text).first().waitFor()
  return Promise.all(texts.map((text) => message(page, text).count()))
}
