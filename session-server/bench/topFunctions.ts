/**
 * Summarises a V8 `.cpuprofile` (from `npm run bench -- --profile`): the functions with the most
 * self time, as a share of the profile. `node --import tsx bench/topFunctions.ts <file> [count]`
 */
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}

const [file, countArg] = process.argv.slice(2)
if (!file) {
  console.error('usage: topFunctions.ts <file.cpuprofile> [count]')
  process.exit(2)
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[] }
const selfHits = new Map<string, number>()
let total = 0
for (const node of profile.nodes) {
  const hits = node.hitCount ?? 0
  total += hits
  const { functionName, url, lineNumber } = node.callFrame
  const where = url ? `${url.replace(/^.*node_modules\//, '').replace(/^.*\/src\//, 'src/')}:${lineNumber + 1}` : ''
  const key = `${functionName || '(anonymous)'} ${where}`.trim()
  selfHits.set(key, (selfHits.get(key) ?? 0) + hits)
}
const top = [...selfHits].sort((a, b) => b[1] - a[1]).slice(0, Number(countArg ?? 25))
for (const [name, hits] of top) console.log(`${((100 * hits) / total).toFixed(1).padStart(5)} %  ${name}`)
