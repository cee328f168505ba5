#!/usr/bin/env node
// Fails the build when the first-load JavaScript (the entry chunk plus everything it imports
// statically, i.e. what the browser must fetch before the first render) passes the budget.
// Lazy routes (`dynamicImports`) are not counted: they load when the user navigates there.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const BUDGET_KB = 100
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
  const size = gzipSync(readFileSync(join(dist, file)), { level: 9 }).length
  total += size
  console.log(`  ${file.padEnd(40)} ${(size / 1024).toFixed(1).padStart(6)} KB gzip`)
}
const totalKb = total / 1024
const verdict = totalKb <= BUDGET_KB ? 'within' : 'OVER'
console.log(`first-load JS: ${totalKb.toFixed(1)} KB gzip (${verdict} the ${BUDGET_KB} KB budget)`)
if (totalKb > BUDGET_KB) process.exit(1)
