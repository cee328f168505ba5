/**
 * Summarises a V8 `.cpuprofile` (from `npm run bench -- --profile`): the functions with the most
 * self time, as a share of the profile. `node --import tsx bench/topFunctions.ts <file> [count]`
 *
 * The servers run bundles (`bundles.ts`): a location in one is mapped back to its source file and
 * line through the bundle's source map, when it has one beside it.
 */
import { existsSync, readFileSync } from 'node:fs'
import { SourceMap } from 'node:module'
import { fileURLToPath } from 'node:url'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
  hitCount?: number
}

const [file, countArg] = process.argv.slice(2)
if (!file) {
  console.error('usage: topFunctions.ts <file.cpuprofile> [count]')
  process.exit(2)
}

const ROOT = new URL('../../', import.meta.url).href
const sourceMaps = new Map<string, SourceMap | undefined>()

function sourceMapOf(url: string): SourceMap | undefined {
  if (!sourceMaps.has(url)) {
    const mapFile = url.startsWith('file:') ? `${fileURLToPath(url)}.map` : undefined
    sourceMaps.set(url, mapFile && existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : undefined)
  }
  return sourceMaps.get(url)
}

/**
 * `path:line` of a frame, shortened to what tells it apart: a dependency's path from its package
 * name, this repository's from its root (`session-server/src/room/Room.ts`).
 */
function locationOf({ url, lineNumber, columnNumber }: ProfileNode['callFrame']): string {
  if (!url) return ''
  const entry = sourceMapOf(url)?.findEntry(lineNumber, columnNumber)
  // A source map names its sources relative to the map (`../src/room/Room.ts`).
  const [path, line] = entry && 'originalSource' in entry ? [new URL(entry.originalSource, url).href, entry.originalLine] : [url, lineNumber]
  const inDependency = path.lastIndexOf('/node_modules/')
  const shown = inDependency >= 0 ? path.slice(inDependency + '/node_modules/'.length) : path.startsWith(ROOT) ? path.slice(ROOT.length) : path
  return `${shown}:${line + 1}`
}

const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[] }
const selfHits = new Map<string, number>()
let total = 0
for (const node of profile.nodes) {
  const hits = node.hitCount ?? 0
  total += hits
  const key = `${node.callFrame.functionName || '(anonymous)'} ${locationOf(node.callFrame)}`.trim()
  selfHits.set(key, (selfHits.get(key) ?? 0) + hits)
}
const top = [...selfHits].sort((a, b) => b[1] - a[1]).slice(0, Number(countArg ?? 25))
for (const [name, hits] of top) console.log(`${((100 * hits) / total).toFixed(1).padStart(5)} %  ${name}`)
