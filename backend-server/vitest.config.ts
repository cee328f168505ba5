import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // scrypt and PGlite start-up are CPU-bound; two cores running several files at once are slow, not stuck.
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
})
