import { defineConfig } from 'vitest/config'

// Pure logic and ChatConnection (against the real servers) need no DOM: Node is enough.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    testTimeout: 15_000,
  },
})
