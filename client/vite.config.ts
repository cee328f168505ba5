import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

// The SPA talks to the backend on the same origin through this proxy in development, so the
// browser needs no CORS; in production a CDN or reverse proxy routes /api the same way.
const backendUrl = process.env.BACKEND_URL ?? 'http://localhost:8080'
const proxy = { '/api': { target: backendUrl, changeOrigin: true } }

export default defineConfig({
  plugins: [react()],
  server: { port: 5173, strictPort: true, proxy },
  preview: { port: 4173, proxy },
  build: {
    // scripts/checkBundle.mjs reads the manifest to measure the first-load JavaScript.
    manifest: true,
    reportCompressedSize: true,
    target: 'es2022',
  },
})
