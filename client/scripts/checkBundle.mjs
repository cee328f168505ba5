#!/usr/bin/env node
// Fails the build when the first-load JavaScript (the entry chunk plus everything it imports
// statically, i.e. what the browser must fetch before the first render) passes the budget.
// Lazy routes (`dynamicImports`) are not counted: they load when the user navigates there.
// Sizes are in kB of 1000 bytes at zlib's default level, the way Vite's own report counts them.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const BUDGET_KB = 100
const KB = 1000
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist')
const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8'))

const entries = Object.keys(manifest).filter((key) => manifest[key].isEntry)
if (entries.length === 0) {
  console.error('checkBundle: no entry chunk in dist/.vite/manifest.json')
  process.exit(1)
}

const seen = new Set()
function visit(key) {
  if (seen.has(key)) return
  seen.add(key)
  for (const imported of manifest[key]?.imports ?? []) visit(imported)
}
entries.forEach(visit)

let total = 0
for (const key of seen) {
  const file = manifest[key].file
  if (!file.endsWith('.js')) continue
  const size = gzipSync(readFileSync(join(dist, file))).length
  total += size
  console.log(`  ${file.padEnd(40)} ${(size / KB).toFixed(1).padStart(6)} kB gzip`)
}
const totalKb = total / KB
const verdict = totalKb <= BUDGET_KB ? 'within' : 'OVER'
console.log(`first-load JS: ${totalKb.toFixed(2)} kB gzip (${verdict} the ${BUDGET_KB} kB budget)`)
if (totalKb > BUDGET_KB) process.exit(1)
