/**
 * Builds the client's production bundle once per e2e run, into a temporary directory (so it never
 * touches `dist/`), and hands its path to the test files. The suite therefore tests what ships:
 * the same chunks, the same lazy loading, the same aliases as `npm run build`.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    clientDist: string
  }
}

export default async function setup(project: TestProject) {
  const distDir = await mkdtemp(join(tmpdir(), 'scalable-chat-e2e-'))
  await build({
    root: fileURLToPath(new URL('..', import.meta.url)),
    logLevel: 'error',
    build: { outDir: distDir, emptyOutDir: true },
  })
  project.provide('clientDist', distDir)
  return async () => {
    await rm(distDir, { recursive: true, force: true })
  }
}
