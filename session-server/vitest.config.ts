import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Every integration file starts a real backend (PGlite in WASM); on two busy cores that is slow, not stuck.
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
})
