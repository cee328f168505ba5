import { defineConfig } from 'vitest/config'

// The browser suite, kept apart from `npm test` (which stays fast and browser-free):
// `npm run e2e -w client`. One file at a time: each drives Chromium against its own stack,
// and two cores are better spent on one browser than shared between several.
export default defineConfig({
  test: {
    root: new URL('.', import.meta.url).pathname,
    include: ['**/*.e2e.ts'],
    environment: 'node',
    globalSetup: ['globalSetup.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
