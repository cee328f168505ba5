/**
 * The code the benchmark's servers run, as production runs it: each service's own build (`npm run
 * build`, the command its Dockerfile runs) started as `node dist/main.js`, not its sources through
 * tsx (whose loader thread, source-map support and esbuild `keepNames` closures the image does not
 * have). The baseline and the probe are bundled the same way, so both sides of every ratio run the
 * same kind of code. Built once per run, on first use; two runs at once in one checkout would
 * rebuild `dist/` under each other.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { build } from 'esbuild'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
/**
 * Inside this package's node_modules, so that the bundles' external imports (`ws`) resolve through
 * the same folders as this package's sources do; out of the way of git and of `dist/`.
 */
const OUT_DIR = `${ROOT}session-server/node_modules/.cache/scalable-chat-bench/`

export interface Bundles {
  backend: string
  session: string
  baseline: string
  /** Preloaded (`--import`) into each of the others. */
  probe: string
}

let built: Promise<Bundles> | undefined

export function bundles(): Promise<Bundles> {
  built ??= buildBundles()
  return built
}

async function buildBundles(): Promise<Bundles> {
  await promisify(execFile)('npm', ['run', 'build', '-w', '@scalable-chat/backend-server', '-w', '@scalable-chat/session-server'], { cwd: ROOT })
  await build({
    absWorkingDir: ROOT,
    entryPoints: { probe: 'session-server/bench/probe.ts', baseline: 'session-server/bench/baselineServer.ts' },
    outdir: OUT_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // As the services' builds: `topFunctions.ts` maps a profile's bundle lines back to the sources.
    sourcemap: true,
    logLevel: 'warning',
  })
  return {
    // Where the Dockerfiles' CMD finds them.
    backend: `${ROOT}backend-server/dist/main.js`,
    session: `${ROOT}session-server/dist/main.js`,
    baseline: `${OUT_DIR}baseline.mjs`,
    probe: `${OUT_DIR}probe.mjs`,
  }
}
