// Bundles src/main.ts into dist/main.js. Workspace packages (@scalable-chat/*) are bundled because
// they are TypeScript sources; every other dependency stays external and is installed by npm.
// The SQL migrations are copied to dist/migrations: migrate.ts looks for `./migrations/` next to
// the running module, which is src/storage/ from the sources and dist/ from the bundle.
import { cpSync, readFileSync, rmSync } from 'node:fs'
import { build } from 'esbuild'

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'))
const external = Object.keys(pkg.dependencies ?? {}).filter((name) => !name.startsWith('@scalable-chat/'))

rmSync(new URL('./dist/', import.meta.url), { recursive: true, force: true })
await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/main.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external,
  logLevel: 'info',
})
cpSync(new URL('./src/storage/migrations/', import.meta.url), new URL('./dist/migrations/', import.meta.url), {
  recursive: true,
  filter: (source) => !source.includes('.') || source.endsWith('.sql'),
})
