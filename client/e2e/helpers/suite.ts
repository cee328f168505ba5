/**
 * What every e2e file sets up the same way: its own stack (the production bundle in front of real
 * servers) and one headless Chromium, started before its tests and closed after them, and fresh
 * browser profiles (one per person) closed after each test.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, inject } from 'vitest'
import { launchBrowser, newContext, registerInUi, uniqueName } from './browser.js'
import { startE2eStack, type E2eStack } from './startE2eStack.js'

export interface E2eSuite {
  readonly stack: E2eStack
  readonly browser: Browser
  /** A fresh profile (a phone's with `phone`), closed after the test. */
  newContext(options?: { phone?: boolean }): Promise<BrowserContext>
  /** A new person: a fresh profile, registered through the sign-in screen as `base` and a number. */
  signedIn(base: string): Promise<{ page: Page; name: string; context: BrowserContext }>
}

/** Call at the top of a file: registers the hooks; read `stack` and `browser` inside tests. */
export function useE2eSuite(options: { sessionEnv?: Record<string, string> } = {}): E2eSuite {
  let stack: E2eStack | undefined
  let browser: Browser | undefined
  const contexts: BrowserContext[] = []

  beforeAll(async () => {
    ;[stack, browser] = await Promise.all([startE2eStack({ distDir: inject('clientDist'), ...options }), launchBrowser()])
  })
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()))
  })
  afterAll(async () => {
    await browser?.close()
    await stack?.close()
  })

  return {
    get stack() {
      if (!stack) throw new Error('useE2eSuite: the stack is started in beforeAll; read it inside a test')
      return stack
    },
    get browser() {
      if (!browser) throw new Error('useE2eSuite: the browser is launched in beforeAll; read it inside a test')
      return browser
    },
    async newContext(contextOptions = {}) {
      const context = await newContext(this.browser, contextOptions)
      contexts.push(context)
      return context
    },
    async signedIn(base) {
      const context = await this.newContext()
      const page = await context.newPage()
      const name = uniqueName(base)
      await page.goto(`${this.stack.appUrl}/signin`)
      await registerInUi(page, name)
      return { page, name, context }
    },
  }
}
