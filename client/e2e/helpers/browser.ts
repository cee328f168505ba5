/**
 * Headless Chromium through playwright-core. The browser is the system's (`/usr/bin/chromium`,
 * Debian's package; `.ci/run` installs it): Playwright's own download does not work here.
 */
import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
]
export const DESKTOP = { width: 1200, height: 800 } as const
export const PHONE = { width: 375, height: 740 } as const
/** How long one step (a page, a message, a reconnect) may take before the test fails. */
export const STEP_TIMEOUT_MS = 20_000

const SCREENSHOT_DIR = fileURLToPath(new URL('../screenshots/', import.meta.url))

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true })
}

/** A fresh profile (its own localStorage: one signed-in user per context). */
export async function newContext(browser: Browser, options: { phone?: boolean } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: options.phone ? PHONE : DESKTOP,
    ...(options.phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
    colorScheme: 'light',
    reducedMotion: 'reduce',
  })
  context.setDefaultTimeout(STEP_TIMEOUT_MS)
  return context
}

/**
 * Saves `<screen>-light.png`, `<screen>-dark.png` and `<screen>-phone.png` of the page as it is now
 * (git-ignored, for people to look at), then puts the page back as it was.
 */
export async function captureScreen(page: Page, screen: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true })
  const viewport = page.viewportSize() ?? DESKTOP
  const shoot = async (variant: string) => {
    // Fonts and the layout after a media change settle before the next frame.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
    await page.screenshot({ path: `${SCREENSHOT_DIR}${screen}-${variant}.png` })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  await shoot('light')
  await page.emulateMedia({ colorScheme: 'dark' })
  await shoot('dark')
  await page.emulateMedia({ colorScheme: 'light' })
  await page.setViewportSize(PHONE)
  await shoot('phone')
  await page.setViewportSize(viewport)
}

let userCounter = 0
/** A username unique within the run (the database is fresh per file, but not per test). */
export function uniqueName(base: string): string {
  return `${base}${++userCounter}`
}

/** Registers through the sign-in screen, from wherever the app sent us (deep links keep `?next=`). */
export async function registerInUi(page: Page, username: string, password = 'correct horse battery'): Promise<void> {
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Create an account' }).click()
  await page.waitForURL((url) => url.pathname !== '/signin')
}
