/**
 * The board's edits: `editors` members draw at once, each at `perSecond` edits (every tenth a new
 * rectangle, the rest moves of one of its own shapes), and one more member watches. An update
 * names the version it was made on, so each shape has one edit in flight at a time, as under a
 * dragging hand: a move goes to an own shape whose last edit came back. An edit is applied when
 * its delta reaches the watcher and acknowledged when it comes back to its editor with its
 * `ref`; an error frame is a refusal, and fails the workload.
 */
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import type { WebSocket } from 'ws'
import type { EditsResult, Task } from '../tasks.js'
import { closeAll, isErrorFrame, memberUrl, openMember, pool, startsWith } from './connect.js'

type EditsTask = Extract<Task, { kind: 'edits' }>

const SETUP_CONCURRENCY = 25
/** One edit in ten draws a new shape: a board of a few hundred shapes per run, far from its limits. */
const CREATE_EVERY = 10
const DELTA_PREFIX = Buffer.from('{"type":"shape_')

interface OwnShape {
  id: string
  /** The version of its latest acknowledged change; 0 until its create is acknowledged. */
  version: number
  inFlight: boolean
}

/** What the load generator reads of a delta (an editor, of the deltas answering its edits). */
interface Delta {
  type: string
  ref?: string
  version?: number
  shape?: { version: number }
}

/** The board version a delta brought the board (and its shape) to. */
const versionOf = (delta: Delta) => (delta.type === 'shape_created' ? delta.shape?.version : delta.version)

export async function openDrawingRoom(task: EditsTask): Promise<{ draw(): Promise<void>; close(): Promise<EditsResult> }> {
  const { target, editors, edits, perSecond, timeoutMs } = task
  // Editors are members 0…editors-1, the watcher the next: a user apart, with an allowance of its own.
  const sockets: WebSocket[] = []
  await pool(editors + 1, SETUP_CONCURRENCY, async (member) => {
    sockets[member] = await openMember(await memberUrl(target, 0, member), timeoutMs)
  })
  const watcher = sockets[editors]!
  // Unique to this run, like fanout's clientIds: a re-used shape id is answered as a re-send.
  const run = randomBytes(4).toString('hex')
  const total = editors * edits

  const problems: string[] = []
  let editsSent = 0
  let acknowledged = 0
  let applied = 0
  let lastDelta: Buffer | undefined
  let finish: () => void = () => {}
  const finished = new Promise<void>((resolve) => (finish = resolve))
  const fail = (problem: string) => {
    if (problems.length < 20) problems.push(problem)
    finish()
  }
  const check = () => {
    if (applied === total && acknowledged === total) finish()
  }
  let end = 0
  watcher.on('message', (data: Buffer) => {
    if (!startsWith(data, DELTA_PREFIX)) return
    applied++
    lastDelta = data
    if (applied === total) end = performance.now()
    check()
  })
  for (const [member, ws] of sockets.entries()) {
    ws.on('message', (data: Buffer) => {
      if (isErrorFrame(data)) fail(`member ${member}: ${data.toString().slice(0, 200)}`)
    })
    ws.on('close', (code) => fail(`member ${member}: closed with ${code}`))
  }

  const shapes: OwnShape[][] = Array.from({ length: editors }, () => [])
  let start = 0
  /** Starts editor `editor`'s edits, each due at its own time (a late one goes at once). */
  const startEditor = (editor: number) => {
    const ws = sockets[editor]!
    const own = shapes[editor]!
    const refs = new Map<string, OwnShape>()
    const refPrefix = `${run}e${editor}-`
    const refMarker = Buffer.from(`"ref":"${refPrefix}`)
    const period = 1000 / perSecond
    const offset = (editor * period) / editors
    let made = 0
    let nextShape = 0
    /** An update fell due while every own shape had an edit in flight: the next acknowledgement sends it. */
    let blocked = false
    const send = (frame: object, ref: string, shape: OwnShape) => {
      shape.inFlight = true
      refs.set(ref, shape)
      ws.send(JSON.stringify(frame))
      editsSent++
    }
    const edit = () => {
      if (made === edits || ws.readyState !== ws.OPEN) return
      const ref = `${refPrefix}${made}`
      if (made % CREATE_EVERY === 0) {
        const shape: OwnShape = { id: `${run}-e${editor}-s${own.length}`, version: 0, inFlight: false }
        own.push(shape)
        const drawn = { id: shape.id, type: 'rectangle', x: editor * 200, y: own.length * 50, width: 80, height: 40, color: '#1e40af', strokeWidth: 2 }
        send({ type: 'shape_create', shape: drawn, ref }, ref, shape)
      } else {
        let shape: OwnShape | undefined
        for (let i = 0; i < own.length && !shape; i++) {
          const candidate = own[(nextShape + i) % own.length]!
          if (!candidate.inFlight) shape = candidate
        }
        if (!shape) {
          blocked = true
          return
        }
        nextShape = (own.indexOf(shape) + 1) % own.length
        send({ type: 'shape_update', id: shape.id, version: shape.version, changes: { x: editor * 200 + (made % 100), y: made % 300 }, ref }, ref, shape)
      }
      made++
      if (made < edits) setTimeout(edit, Math.max(0, start + offset + made * period - performance.now()))
    }
    ws.on('message', (data: Buffer) => {
      // Every member receives every delta; an editor reads only those answering its own edits.
      if (!startsWith(data, DELTA_PREFIX) || data.indexOf(refMarker) < 0) return
      const delta = JSON.parse(data.toString()) as Delta
      const shape = delta.ref === undefined ? undefined : refs.get(delta.ref)
      const version = versionOf(delta)
      if (!shape || version === undefined) return fail(`editor ${editor}: an answer it cannot match: ${data.toString().slice(0, 200)}`)
      refs.delete(delta.ref!)
      shape.version = version
      shape.inFlight = false
      acknowledged++
      if (blocked) {
        blocked = false
        edit()
      }
      check()
    })
    setTimeout(edit, offset)
  }

  return {
    async draw() {
      start = performance.now()
      for (let editor = 0; editor < editors; editor++) startEditor(editor)
      const timeout = setTimeout(() => fail(`timed out after ${timeoutMs} ms`), timeoutMs)
      await finished
      clearTimeout(timeout)
      if (end === 0) end = performance.now()
    },
    async close() {
      for (const ws of sockets) ws.removeAllListeners('close')
      await closeAll(sockets)
      if (problems.length === 0 && (applied < total || acknowledged < total)) {
        problems.push(`of ${total} edits, ${applied} reached the watcher and ${acknowledged} their editor`)
      }
      return {
        editsSent,
        applied,
        durationMs: end - start,
        boardVersion: lastDelta === undefined ? 0 : (versionOf(JSON.parse(lastDelta.toString()) as Delta) ?? 0),
        acknowledged: Object.fromEntries(shapes.flat().filter((shape) => shape.version > 0).map((shape) => [shape.id, shape.version])),
        problems,
      }
    },
  }
}
