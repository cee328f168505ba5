#!/usr/bin/env node
// `npm start`: the whole stack on embedded defaults — the backend (PGlite in backend-server/.data),
// SESSION_SERVERS session servers (default 1, ports 8000…) and the client's Vite dev server — with
// generated development secrets (the backend's JWT_SECRET and room-token key, and the SERVICE_TOKEN
// every server shares), and prefixed logs.
// Anything already in the environment wins: the generated values and defaults only fill the gaps.
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import concurrently from 'concurrently'

const root = dirname(fileURLToPath(import.meta.url))
const env = process.env

if (env.NODE_ENV === 'production') {
  console.error('npm start is the development stack; in production run each service with its own start command.')
  process.exit(1)
}

/**
 * The development secrets are kept in the git-ignored data directory so that a restart keeps
 * everyone signed in (a fresh secret per start would invalidate every token in the browser).
 */
function devSecrets() {
  const file = join(root, 'backend-server', '.data', 'dev-secrets.json')
  let kept = {}
  try {
    kept = JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    // None yet (a fresh clone): all of them are made below.
  }
  const secrets = {
    JWT_SECRET: randomBytes(32).toString('base64url'),
    SERVICE_TOKEN: randomBytes(32).toString('base64url'),
    ROOM_TOKEN_PRIVATE_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
    ...kept,
  }
  if (Object.keys(secrets).some((name) => !(name in kept))) {
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 })
  }
  return secrets
}

const count = Number(env.SESSION_SERVERS ?? 1)
if (!Number.isInteger(count) || count < 1 || count > 16) {
  console.error('SESSION_SERVERS: must be a whole number from 1 to 16')
  process.exit(1)
}
const firstSessionPort = Number(env.SESSION_PORT ?? 8000)
const sessionPorts = Array.from({ length: count }, (_, i) => firstSessionPort + i)
const backendPort = env.PORT ?? '8080'
const secrets = devSecrets()

const shared = {
  ...env,
  // So that `node dev.mjs` works as well as `npm start` (which puts these on PATH itself).
  PATH: `${join(root, 'node_modules', '.bin')}:${env.PATH ?? ''}`,
  SERVICE_TOKEN: env.SERVICE_TOKEN ?? secrets.SERVICE_TOKEN,
  LOG_FORMAT: env.LOG_FORMAT ?? 'pretty',
  FORCE_COLOR: env.FORCE_COLOR ?? '1',
}
const backendUrl = env.BACKEND_URL ?? `http://localhost:${backendPort}`

const commands = [
  {
    name: 'backend',
    cwd: join(root, 'backend-server'),
    command: 'tsx watch --clear-screen=false src/main.ts',
    env: {
      ...shared,
      // Only the backend signs: session servers fetch the room-token public key from it.
      JWT_SECRET: env.JWT_SECRET ?? secrets.JWT_SECRET,
      ROOM_TOKEN_PRIVATE_KEY: env.ROOM_TOKEN_PRIVATE_KEY ?? secrets.ROOM_TOKEN_PRIVATE_KEY,
      PORT: backendPort,
      // Development lets a room link in with a name only, to try a room from a second browser
      // without making an account; production keeps the default (off).
      ALLOW_GUESTS: env.ALLOW_GUESTS ?? 'true',
      SESSION_SERVER_HOST: env.SESSION_SERVER_HOST ?? sessionPorts.map((p) => `localhost:${p}`).join(','),
    },
    prefixColor: 'cyan',
  },
  ...sessionPorts.map((port, i) => ({
    name: count === 1 ? 'session' : `session${i + 1}`,
    cwd: join(root, 'session-server'),
    command: 'tsx watch --clear-screen=false src/main.ts',
    env: { ...shared, PORT: String(port), PUBLIC_HOST: `localhost:${port}`, BACKEND_URL: backendUrl },
    prefixColor: 'magenta',
  })),
  {
    name: 'client',
    cwd: join(root, 'client'),
    command: 'vite --clearScreen false',
    env: { ...shared, BACKEND_URL: backendUrl },
    prefixColor: 'green',
  },
]

console.log(
  `\n  Scalable Chat (development)\n` +
    `  open  http://localhost:5173\n` +
    `  api   ${backendUrl}   sessions ${sessionPorts.map((p) => `localhost:${p}`).join(', ')}\n` +
    `  Ctrl-C stops everything.\n`,
)

const { result, commands: running } = concurrently(commands, {
  prefix: '{name}',
  padPrefix: true,
  killOthersOn: ['failure'],
  // Ctrl-C reaches every child through the terminal's process group; this catches a plain SIGTERM.
  handleInput: false,
})
// Ctrl-C in a terminal reaches every child through the process group; a SIGTERM or SIGHUP sent to
// this process alone (a process manager, `kill`) must be passed on, or the children would be orphaned.
for (const signal of ['SIGTERM', 'SIGHUP']) {
  process.on(signal, () => running.forEach((command) => command.kill(signal)))
}
result.then(
  () => process.exit(0),
  (events) => {
    const failed = events.filter((e) => e.exitCode !== 0 && e.exitCode !== 'SIGINT' && e.exitCode !== 'SIGTERM')
    process.exit(failed.length > 0 ? 1 : 0)
  },
)
