import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

// The SPA talks to the backend on the same origin through this proxy in development, so the
// browser needs no CORS; in production a CDN or reverse proxy routes /api the same way.
const backendUrl = process.env.BACKEND_URL ?? 'http://localhost:8080'
const proxy = { '/api': { target: backendUrl, changeOrigin: true } }

// react-router's package exports resolve to its development build under every condition; its
// production build (same API, no dev-only warnings) is several KB smaller in the first load.
const reactRouterDir = dirname(createRequire(import.meta.url).resolve('react-router/package.json'))

export default defineConfig(({ command }) => ({
  plugins: [react()],
  resolve: {
    alias:
      command === 'build'
        ? [{ find: /^react-router$/, replacement: join(reactRouterDir, 'dist/production/index.mjs') }]
        : [],
  },
  server: { port: 5173, strictPort: true, proxy },
  preview: { port: 4173, proxy },
  build: {
    // scripts/checkBundle.mjs reads the manifest to measure the first-load JavaScript.
    manifest: true,
    reportCompressedSize: true,
    target: 'es2022',
  },
}))
