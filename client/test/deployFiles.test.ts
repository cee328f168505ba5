/**
 * The deployment files, checked offline (no Docker engine runs in CI): every compose service's
 * build context and Dockerfile exist, and the environment compose (or the ECS task definition)
 * gives a service is accepted by that service's own configuration schema. Syntax and lint of the
 * workflows and the compose file: `.ci/check-deploy-files.sh`. Lives in client/ because this is
 * the workspace that depends on both servers.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig as loadBackendConfig } from '@scalable-chat/backend-server/config'
import { loadConfig as loadSessionConfig } from '@scalable-chat/session-server/config'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { z } from 'zod'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

const ComposeService = z.object({
  image: z.string().optional(),
  build: z.object({ context: z.string(), dockerfile: z.string() }).optional(),
  environment: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  depends_on: z.record(z.string(), z.object({ condition: z.string() })).optional(),
  healthcheck: z.object({ test: z.array(z.string()) }).optional(),
  command: z.array(z.string()).optional(),
  deploy: z.object({ replicas: z.number() }).optional(),
  ports: z.array(z.string()).optional(),
})
const ComposeFile = z.object({ services: z.record(z.string(), ComposeService) })

/** What the README's one-time step writes to `.env`: two random secrets and a room-token key, its PEM in base64. */
const dotEnv = {
  JWT_SECRET: randomBytes(32).toString('base64'),
  SERVICE_TOKEN: randomBytes(32).toString('base64'),
  ROOM_TOKEN_PRIVATE_KEY: Buffer.from(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' })).toString('base64'),
}

/** Compose's interpolation: `${VAR}`, `${VAR:-default}`, and `${VAR:?message}` (an error when unset). */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{(\w+)(?::?([-?])([^}]*))?\}/g, (_match, name: string, kind?: string, word?: string) => {
    const value = env[name]
    if (value !== undefined && value !== '') return value
    if (kind === '?') throw new Error(`${name}: ${word}`)
    return kind === '-' ? (word ?? '') : ''
  })
}

const composeText = readFileSync(join(root, 'docker-compose.yml'), 'utf8')
const services = ComposeFile.parse(parse(interpolate(composeText, dotEnv), { merge: true })).services

/**
 * The `ENV` of a Dockerfile's last stage (the image that runs), e.g. NODE_ENV=production: the
 * service sees it under whatever compose adds, so the configuration checks must too.
 */
function imageEnv(dockerfile: string): Record<string, string> {
  const lastStage = readFileSync(join(root, dockerfile), 'utf8').split(/^FROM /m).at(-1) ?? ''
  const env: Record<string, string> = {}
  for (const [, pairs] of lastStage.matchAll(/^ENV (.+)$/gm)) {
    for (const [, key, value] of (pairs ?? '').matchAll(/(\w+)=(\S+)/g)) env[key!] = value!
  }
  return env
}

/** What the service's process sees: the image's ENV, then compose's environment on top. */
function envOf(name: string): Record<string, string> {
  const service = services[name]
  return {
    ...(service?.build ? imageEnv(join(service.build.context, service.build.dockerfile)) : {}),
    ...Object.fromEntries(Object.entries(service?.environment ?? {}).map(([k, v]) => [k, String(v)])),
  }
}

/**
 * A session server replica's environment: compose's, plus what its start command exports from the
 * container's hostname (`$$(hostname)` in the file), here for a replica named `abc123`.
 */
function sessionReplicaEnv(hostname = 'abc123'): Record<string, string> {
  const script = services['session-server']?.command?.at(-1) ?? ''
  const exported = Object.fromEntries(
    [...script.matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key!, value!.replaceAll('$$(hostname)', hostname)]),
  )
  return { ...envOf('session-server'), ...exported }
}

describe('docker-compose.yml', () => {
  it('runs PostgreSQL, the backend, two session servers behind their gateway, and the client, each with a health check', () => {
    expect(Object.keys(services).sort()).toEqual(['backend', 'client', 'postgres', 'session-gateway', 'session-server'])
    expect(services['session-server']?.deploy?.replicas).toBe(2)
    for (const [name, service] of Object.entries(services)) expect(service.healthcheck, name).toBeDefined()
  })

  it('builds every service from a Dockerfile that exists, in a context that exists', () => {
    for (const [name, service] of Object.entries(services)) {
      if (!service.build) continue
      const context = join(root, service.build.context)
      expect(existsSync(context), `${name} context`).toBe(true)
      expect(existsSync(join(context, service.build.dockerfile)), `${name} Dockerfile`).toBe(true)
    }
  })

  it('starts every service only after what it depends on is healthy', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[dependency], `${name} → ${dependency}`).toBeDefined()
        expect(condition, `${name} → ${dependency}`).toBe('service_healthy')
      }
    }
  })

  it.each(Object.keys(dotEnv))('refuses to start without %s from .env, naming it', (name) => {
    const { [name as keyof typeof dotEnv]: _missing, ...rest } = dotEnv
    expect(() => interpolate(composeText, rest)).toThrow(new RegExp(`^${name}: set ${name} in \\.env`))
  })

  it('runs the servers in production mode, as their images set it', () => {
    for (const name of ['backend', 'session-server']) expect(envOf(name).NODE_ENV, name).toBe('production')
  })

  it('gives the backend an environment its own loadConfig accepts: Postgres and the fleet scheduler', () => {
    const config = loadBackendConfig(envOf('backend'))
    expect(config.production).toBe(true)
    expect(config.trustProxy).toBe(1)
    expect(config.databaseUrl).toMatch(/^postgres:\/\/.*@postgres:5432\//)
    expect(config.scheduler).toBe('fleet')
  })

  it('keeps the internal API off every published port: session servers reach it on INTERNAL_PORT', () => {
    const backend = loadBackendConfig(envOf('backend'))
    expect(backend.internalPort).toBeDefined()
    expect(backend.internalPort).not.toBe(backend.port)
    expect(loadSessionConfig(sessionReplicaEnv('abc123')).BACKEND_URL).toBe(`http://backend:${backend.internalPort}`)
    const published = Object.values(services).flatMap((service) => service.ports ?? [])
    expect(published.some((port) => String(port).endsWith(`:${backend.internalPort}`))).toBe(false)
  })

  it('gives each session server replica an environment its own loadConfig accepts, addressed through the gateway', () => {
    const config = loadSessionConfig(sessionReplicaEnv('abc123'))
    expect(config.BIND_ADDRESS).toBe('0.0.0.0')
    expect(config.PUBLIC_HOST).toBe('ws://localhost:8090/s/abc123')
    expect(config.INTERNAL_URL).toBe(`http://abc123:${config.PORT}`)
    expect(config.SERVICE_TOKEN).toBe(loadBackendConfig(envOf('backend')).serviceToken)
    // Nothing a session server holds can sign: no JWT_SECRET, no private key (it fetches the public one).
    expect(Object.keys(sessionReplicaEnv('abc123'))).not.toContain('JWT_SECRET')
    expect(Object.keys(sessionReplicaEnv('abc123'))).not.toContain('ROOM_TOKEN_PRIVATE_KEY')
  })
})

describe('backend-server/deploy/task-definition.json (ECS Fargate)', () => {
  it('gives the backend an environment its loadConfig accepts once the secrets are filled in', () => {
    const TaskDefinition = z.object({
      requiresCompatibilities: z.array(z.string()),
      containerDefinitions: z.array(
        z.object({
          name: z.string(),
          environment: z.array(z.object({ name: z.string(), value: z.string() })),
          secrets: z.array(z.object({ name: z.string(), valueFrom: z.string() })),
        }),
      ),
    })
    const task = TaskDefinition.parse(JSON.parse(readFileSync(join(root, 'backend-server/deploy/task-definition.json'), 'utf8')))
    expect(task.requiresCompatibilities).toEqual(['FARGATE'])
    const container = task.containerDefinitions.find((c) => c.name === 'backend')!
    const secretValues: Record<string, string> = { ...dotEnv, DATABASE_URL: 'postgres://chat@db.internal:5432/chat' }
    const env = {
      ...imageEnv('backend-server/Dockerfile'),
      ...Object.fromEntries(container.environment.map((e) => [e.name, e.value])),
      ...Object.fromEntries(container.secrets.map((s) => [s.name, secretValues[s.name] ?? ''])),
    }
    const config = loadBackendConfig(env)
    expect(config.production).toBe(true)
    expect(config.trustProxy).toBe(2)
    expect(config.bindAddress).toBe('0.0.0.0')
    expect(config.databaseUrl).toBe(secretValues.DATABASE_URL)
  })
})
