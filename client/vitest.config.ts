import { defineConfig } from 'vitest/config'

// Pure logic and ChatConnection (against the real servers) need no DOM: Node is enough.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    testTimeout: 15_000,
    // Starting the backend (PGlite, migrations) in beforeAll can pass 10 s on a busy 2-core machine.
    hookTimeout: 30_000,
  },
})
