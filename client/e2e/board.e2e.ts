/**
 * The whiteboard in two browser contexts (two people), against the real servers: drawing with the
 * mouse and the keyboard, each seeing the other's shapes and pointer, moving, undo and redo, text,
 * the PNG export, a reload and a session server restart.
 */
import { readFile } from 'node:fs/promises'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { captureScreen, registerInUi, uniqueName } from './helpers/browser.js'
import { banner, createRoom, waitUntilLive } from './helpers/roomPage.js'
import { useE2eSuite } from './helpers/suite.js'

// A test draws faster than people do; the save delay is the default (the restart is a drain, which saves).
const suite = useE2eSuite({ sessionEnv: { FRAMES_PER_SECOND: '10000' } })

const signedIn = (base: string) => suite.signedIn(base)

const surface = (page: Page) => page.getByRole('application', { name: /^Drawing surface/ })
const shapes = (page: Page) => page.locator('[data-layer="shapes"] > *')
const tool = (page: Page, name: string) => page.getByRole('toolbar', { name: 'Drawing tools' }).getByRole('button', { name, exact: true })

async function openBoard(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Board' }).click()
  await surface(page).waitFor()
}

/** Drags on the board from (x1, y1) to (x2, y2), in pixels from its top left, through `steps` moves. */
async function drag(page: Page, [x1, y1]: [number, number], [x2, y2]: [number, number], steps = 8): Promise<void> {
  const box = (await surface(page).boundingBox())!
  await page.mouse.move(box.x + x1, box.y + y1)
  await page.mouse.down()
  for (let i = 1; i <= steps; i++) {
    // A gentle curve, so a pen stroke has points worth keeping.
    const t = i / steps
    await page.mouse.move(box.x + x1 + (x2 - x1) * t, box.y + y1 + (y2 - y1) * t + Math.sin(t * Math.PI) * 20)
  }
  await page.mouse.up()
}

async function expectShapes(page: Page, count: number): Promise<void> {
  await page.waitForFunction((n) => document.querySelectorAll('[data-layer="shapes"] > *').length === n, count)
}

describe('two people at the board', () => {
  it('see each other’s shapes and pointers, move, undo and redo; the board survives a reload and a session server restart', async () => {
    const ana = await signedIn('ana')
    const bo = await signedIn('bo')
    const link = await createRoom(ana.page, 'Sketches')
    await bo.page.goto(link)
    await waitUntilLive(bo.page)
    await Promise.all([openBoard(ana.page), openBoard(bo.page)])

    // Ana draws a rectangle with the mouse; the toolbar's button says which tool is on.
    await tool(ana.page, 'Rectangle').click()
    expect(await tool(ana.page, 'Rectangle').getAttribute('aria-pressed')).toBe('true')
    await drag(ana.page, [80, 80], [260, 200], 4)
    await expectShapes(bo.page, 1)
    expect(await shapes(bo.page).first().evaluate((node) => node.tagName)).toBe('rect')

    // Bo picks the pen from the keyboard, in red, and draws a stroke of many pointer moves.
    await surface(bo.page).focus()
    await bo.page.keyboard.press('p')
    expect(await tool(bo.page, 'Pen').getAttribute('aria-pressed')).toBe('true')
    await bo.page.getByRole('radio', { name: 'Red' }).click()
    await drag(bo.page, [300, 120], [520, 260], 40)
    await expectShapes(ana.page, 2)
    expect(await shapes(ana.page).nth(1).getAttribute('stroke')).toBe('#e03131')

    // Bo's pointer, with his name, on Ana's board.
    const box = (await surface(bo.page).boundingBox())!
    await bo.page.mouse.move(box.x + 400, box.y + 300)
    await ana.page.locator(`[data-cursor="${bo.name}"]`).waitFor()

    // Ana writes a line of text; Bo sees it.
    await tool(ana.page, 'Text').click()
    await drag(ana.page, [90, 260], [90, 260], 1)
    await ana.page.getByRole('textbox', { name: 'New text' }).fill('Plan for Monday')
    await ana.page.keyboard.press('Enter')
    await bo.page.locator('[data-layer="shapes"] text', { hasText: 'Plan for Monday' }).waitFor()

    // Ana moves her rectangle (the select tool, a drag): Bo sees it where she put it.
    await tool(ana.page, 'Select').click()
    const before = Number(await shapes(bo.page).first().getAttribute('x'))
    await drag(ana.page, [170, 82], [230, 142])
    await bo.page.waitForFunction((x) => Number(document.querySelector('[data-layer="shapes"] > rect')?.getAttribute('x')) > x + 40, before)

    // Undo takes back Ana's own edits, newest first (the move, then the text), and never Bo's stroke.
    await surface(ana.page).focus()
    await ana.page.keyboard.press('Control+z')
    await bo.page.waitForFunction((x) => Number(document.querySelector('[data-layer="shapes"] > rect')?.getAttribute('x')) === x, before)
    await ana.page.keyboard.press('Control+z')
    await bo.page.locator('[data-layer="shapes"] text').waitFor({ state: 'detached' })
    await expectShapes(bo.page, 2)
    await ana.page.getByRole('button', { name: 'Redo' }).click()
    await bo.page.locator('[data-layer="shapes"] text', { hasText: 'Plan for Monday' }).waitFor()
    await expectShapes(ana.page, 3)
    await captureScreen(ana.page, 'room-board')

    // The PNG export: a real PNG file of the board.
    const [download] = await Promise.all([ana.page.waitForEvent('download'), ana.page.getByRole('button', { name: 'Export as PNG' }).click()])
    expect(download.suggestedFilename()).toBe('Sketches.png')
    const png = await readFile((await download.path())!)
    expect(png.subarray(1, 4).toString()).toBe('PNG')
    expect(png.length).toBeGreaterThan(1000)

    // A reload opens the board again (it is in the address), as it is.
    await ana.page.reload()
    await waitUntilLive(ana.page)
    await expectShapes(ana.page, 3)

    // The session server restarts (a drain, which saves the board); one drawn during the outage goes once it is back.
    await suite.stack.stopSessionServer()
    await banner(ana.page).getByText(/Connection lost/).waitFor()
    await tool(ana.page, 'Ellipse').click()
    await drag(ana.page, [600, 300], [700, 380], 4)
    await expectShapes(ana.page, 4)
    await suite.stack.startSessionServer()
    await expectShapes(bo.page, 4)
    expect(await shapes(bo.page).nth(3).evaluate((node) => node.tagName)).toBe('ellipse')
    await bo.page.reload()
    await waitUntilLive(bo.page)
    await expectShapes(bo.page, 4)
  })

  it('on a phone: the board takes the room’s place, draws with a finger, and the chat comes back', async () => {
    const ana = await signedIn('ana')
    await createRoom(ana.page, 'Phone board')
    const phoneContext = await suite.newContext({ phone: true })
    const phone = await phoneContext.newPage()
    await phone.goto(`${suite.stack.appUrl}/signin`)
    await registerInUi(phone, uniqueName('cy'))
    await phone.goto(ana.page.url())
    await waitUntilLive(phone)
    await openBoard(phone)
    await tool(phone, 'Line').tap()
    const box = (await surface(phone).boundingBox())!
    // A tap with the line tool puts down a line where it landed.
    await phone.touchscreen.tap(box.x + 60, box.y + 120)
    await openBoard(ana.page)
    await expectShapes(ana.page, 1)
    expect(await shapes(ana.page).first().locator('line').count()).toBe(1)
    await captureScreen(phone, 'room-board-touch')
    await phone.getByRole('button', { name: 'Board' }).tap()
    await phone.getByRole('textbox', { name: /^Message / }).waitFor()
  })
})
