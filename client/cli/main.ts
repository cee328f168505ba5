/**
 * The terminal client as a process: `npm run chat -- --user ana`. The program is `runChat`; this
 * only hands it the process's streams and environment and turns signals into a clean quit.
 */
import { runChat } from './runChat.js'

const controller = new AbortController()
process.once('SIGINT', () => controller.abort())
process.once('SIGTERM', () => controller.abort())

process.exitCode = await runChat({
  argv: process.argv.slice(2),
  env: process.env,
  input: process.stdin,
  output: process.stdout,
  errorOutput: process.stderr,
  signal: controller.signal,
})
// Nothing else may keep the process alive (stdin, a late timer): the session is over.
process.exit()
