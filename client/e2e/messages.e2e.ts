/**
 * Two people editing, deleting and reacting to messages in Chromium, against the real servers:
 * what each sees, who may do what, the keyboard, and that a reload shows the messages as they are now.
 */
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { captureScreen } from './helpers/browser.js'
import { createRoom, message, messageList, sendMessage, waitUntilLive } from './helpers/roomPage.js'
import { useE2eSuite } from './helpers/suite.js'

// Reactions and edits count against the sender's message allowance; these tests click faster than people do.
const suite = useE2eSuite({ sessionEnv: { MESSAGE_RATE_PER_MINUTE: '10000', MESSAGE_BURST: '1000', FRAMES_PER_SECOND: '10000' } })

const signedIn = (base: string) => suite.signedIn(base)

/** The row of the message showing `text`. */
const row = (page: Page, text: string) => messageList(page).locator('li li', { hasText: text })

/** Opens a message's actions menu (hovering it first, as a person with a mouse does). */
async function openActions(page: Page, text: string) {
  await row(page, text).hover()
  await row(page, text).getByRole('button', { name: 'Message actions' }).click()
  return page.getByRole('group', { name: 'Message actions' })
}

describe('changing messages', () => {
  it('two people react, the author edits and deletes, the other may only react; a reload shows it all as it is now', async () => {
    const ana = await signedIn('ana')
    const bo = await signedIn('bo')
    const link = await createRoom(ana.page, 'Edits')
    await bo.page.goto(link)
    await waitUntilLive(bo.page)
    await sendMessage(ana.page, 'Lunch at noon?')
    await sendMessage(ana.page, 'Meet at the cafe tmrw')
    await sendMessage(ana.page, 'Wrong room, sorry')
    await message(bo.page, 'Wrong room, sorry').waitFor()

    // Bo reacts from the menu: others' messages offer reactions, not edit or delete.
    const boMenu = await openActions(bo.page, 'Lunch at noon?')
    expect(await boMenu.getByRole('button', { name: 'Edit' }).count()).toBe(0)
    expect(await boMenu.getByRole('button', { name: 'Delete' }).count()).toBe(0)
    await boMenu.getByRole('button', { name: 'React with 👍' }).click()
    const anaChip = row(ana.page, 'Lunch at noon?').getByRole('button', { name: new RegExp(`^👍 1: ${bo.name}$`) })
    await anaChip.waitFor()
    // Ana adds hers by pressing the chip; both see two, and Ana's is pressed.
    await anaChip.click()
    await row(bo.page, 'Lunch at noon?').getByRole('button', { name: `👍 2: you, ${ana.name}` }).waitFor()
    expect(await row(ana.page, 'Lunch at noon?').getByRole('button', { name: /^👍 2/ }).getAttribute('aria-pressed')).toBe('true')

    // Ana edits from the keyboard: the actions button, Edit, the text, Enter.
    await row(ana.page, 'Meet at the cafe tmrw').hover()
    await row(ana.page, 'Meet at the cafe tmrw').getByRole('button', { name: 'Message actions' }).focus()
    await ana.page.keyboard.press('Enter')
    await ana.page.getByRole('group', { name: 'Message actions' }).getByRole('button', { name: 'Edit' }).click()
    const editor = ana.page.getByRole('textbox', { name: 'Edit message' })
    await editor.fill('Meet at the cafe tomorrow')
    await editor.press('Enter')
    await row(bo.page, 'Meet at the cafe tomorrow').getByText('(edited)').waitFor()
    expect(await message(bo.page, 'Meet at the cafe tmrw').count()).toBe(0)

    // Escape closes the editor and changes nothing.
    const again = await openActions(ana.page, 'Lunch at noon?')
    await again.getByRole('button', { name: 'Edit' }).click()
    await editor.fill('never sent')
    await editor.press('Escape')
    expect(await editor.count()).toBe(0)
    expect(await message(ana.page, 'never sent').count()).toBe(0)

    // Ana deletes, confirming in place; everyone sees the place it held.
    const deleteMenu = await openActions(ana.page, 'Wrong room, sorry')
    await deleteMenu.getByRole('button', { name: 'Delete' }).click()
    await deleteMenu.getByText('Delete this message for everyone?').waitFor()
    await deleteMenu.getByRole('button', { name: 'Delete' }).click()
    await messageList(bo.page).getByText('Message deleted').waitFor()
    expect(await message(bo.page, 'Wrong room, sorry').count()).toBe(0)

    await captureScreen(bo.page, 'room-message-changes')
    await openActions(bo.page, 'Meet at the cafe tomorrow')
    await captureScreen(bo.page, 'room-message-actions')
    await bo.page.keyboard.press('Escape')
    expect(await bo.page.getByRole('group', { name: 'Message actions' }).count()).toBe(0)

    // A reload: the history as it is now.
    await bo.page.reload()
    await waitUntilLive(bo.page)
    await row(bo.page, 'Meet at the cafe tomorrow').getByText('(edited)').waitFor()
    await row(bo.page, 'Lunch at noon?').getByRole('button', { name: /^👍 2/ }).waitFor()
    await messageList(bo.page).getByText('Message deleted').waitFor()
  })
})
