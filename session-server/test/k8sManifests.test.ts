/**
 * The Kubernetes manifests of the whole stack (`<service>/deploy/k8s/*.yaml`), validated offline:
 * every document against the Kubernetes OpenAPI schema (the `kubernetes-models` classes, whose
 * `validate()` checks it), then the fleet's own wiring: every Ingress path reaches a Service
 * that exists, every pod the autoscaler may start has its Service and path, and the session
 * servers drain on stop and name themselves by pod. Lives here because the fleet is what ties
 * the three folders together.
 */
import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { parseAllDocuments } from 'yaml'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const FOLDERS = ['backend-server/deploy/k8s', 'session-server/deploy/k8s', 'client/deploy/k8s']

interface Manifest {
  apiVersion: string
  kind: string
  metadata: { name: string; labels?: Record<string, string> }
  spec?: any // eslint-disable-line @typescript-eslint/no-explicit-any -- checked by the schema, read by the tests below
  file: string
}

async function loadManifests(): Promise<Manifest[]> {
  const manifests: Manifest[] = []
  for (const folder of FOLDERS) {
    for (const file of (await readdir(`${ROOT}${folder}`)).filter((f) => f.endsWith('.yaml')).sort()) {
      for (const doc of parseAllDocuments(await readFile(`${ROOT}${folder}/${file}`, 'utf8'))) {
        if (doc.errors.length > 0) throw new Error(`${folder}/${file}: ${doc.errors[0]!.message}`)
        manifests.push({ ...(doc.toJS() as Omit<Manifest, 'file'>), file: `${folder}/${file}` })
      }
    }
  }
  return manifests
}

/** `apps/v1` + `StatefulSet` → the model class in `kubernetes-models/apps/v1/StatefulSet`. */
async function modelFor(apiVersion: string, kind: string): Promise<new (data: unknown) => { validate(): void }> {
  const module = (await import(`kubernetes-models/${apiVersion}/${kind}`)) as Record<string, new (data: unknown) => { validate(): void }>
  const model = module[kind]
  if (!model) throw new Error(`no Kubernetes model for ${apiVersion} ${kind}`)
  return model
}

const manifests = await loadManifests()
const named = (kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name)

describe('Kubernetes manifests', () => {
  it.each(manifests.map((m) => [`${m.file}: ${m.kind} ${m.metadata.name}`, m] as const))('%s is valid', async (_name, manifest) => {
    const { file: _file, ...resource } = manifest
    const Model = await modelFor(resource.apiVersion, resource.kind)
    expect(() => new Model(resource).validate()).not.toThrow()
  })

  it('catches a manifest that breaks the schema (the check above is not a no-op)', async () => {
    const { file: _file, ...resource } = named('StatefulSet', 'session-server')!
    const Model = await modelFor(resource.apiVersion, resource.kind)
    expect(() => new Model({ ...resource, spec: { ...resource.spec, replicas: 'two' } }).validate()).toThrow(/replicas must be integer/)
  })

  it('routes every Ingress path to a Service that exists, on a port it has', () => {
    const ingresses = manifests.filter((m) => m.kind === 'Ingress')
    expect(ingresses.length).toBeGreaterThan(0)
    for (const ingress of ingresses) {
      for (const rule of ingress.spec.rules) {
        for (const path of rule.http.paths) {
          const service = named('Service', path.backend.service.name)
          expect(service, `${ingress.file}: ${path.path}`).toBeDefined()
          expect(service!.spec.ports.map((p: { name: string }) => p.name)).toContain(path.backend.service.port.name)
        }
      }
    }
  })

  it('gives every session server pod the autoscaler may start its own Service and Ingress path', () => {
    const hpa = named('HorizontalPodAutoscaler', 'session-server')!
    const paths = manifests
      .filter((m) => m.kind === 'Ingress')
      .flatMap((m) => m.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => p.path as string))) // eslint-disable-line @typescript-eslint/no-explicit-any
    for (let i = 0; i < hpa.spec.maxReplicas; i++) {
      const service = named('Service', `session-server-${i}`)
      expect(service?.spec.selector['statefulset.kubernetes.io/pod-name']).toBe(`session-server-${i}`)
      expect(paths).toContain(`/s/session-server-${i}`)
    }
  })

  it('makes each session server name itself by pod, join the fleet, and drain before it stops', () => {
    const statefulSet = named('StatefulSet', 'session-server')!
    const container = statefulSet.spec.template.spec.containers[0]
    const env = Object.fromEntries(container.env.map((e: { name: string; value?: string }) => [e.name, e.value]))
    expect(env.PUBLIC_HOST).toMatch(/^wss:\/\/[^/]+\/s\/\$\(POD_NAME\)$/)
    expect(env.INTERNAL_URL).toBe(`http://$(POD_NAME).${statefulSet.spec.serviceName}:8000`)
    expect(named('Service', statefulSet.spec.serviceName)?.spec.clusterIP).toBe('None')
    expect(container.lifecycle.preStop.exec.command.join(' ')).toContain('kill -TERM 1')
    expect(container.readinessProbe.httpGet.path).toBe('/readyz')
    expect(container.livenessProbe.httpGet.path).toBe('/healthz')
    const backend = named('Deployment', 'backend')!.spec.template.spec.containers[0]
    expect(backend.env).toContainEqual({ name: 'SCHEDULER', value: 'fleet' })
  })

  it('serves the internal API on a port of its own that only session servers reach, and no Ingress', () => {
    const backend = named('Deployment', 'backend')!.spec.template.spec.containers[0]
    const env = Object.fromEntries(backend.env.map((e: { name: string; value?: string }) => [e.name, e.value]))
    const internalPort = backend.ports.find((p: { name: string }) => p.name === 'internal')
    expect(Number(env.INTERNAL_PORT)).toBe(internalPort.containerPort)
    // Session servers call it through the Service that has the internal port…
    const sessionEnv = named('StatefulSet', 'session-server')!.spec.template.spec.containers[0].env
    const backendUrl = new URL(sessionEnv.find((e: { name: string }) => e.name === 'BACKEND_URL').value)
    const internalService = named('Service', backendUrl.hostname)!
    expect(internalService.spec.ports).toContainEqual(expect.objectContaining({ port: Number(backendUrl.port), targetPort: 'internal' }))
    // …which no Ingress routes to, and no other Service exposes.
    const routed = manifests
      .filter((m) => m.kind === 'Ingress')
      .flatMap((m) => m.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => p.backend.service.name as string))) // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(routed).not.toContain(internalService.metadata.name)
    for (const service of manifests.filter((m) => m.kind === 'Service' && m !== internalService)) {
      expect(service.spec.ports.map((p: { targetPort: unknown }) => p.targetPort), service.metadata.name).not.toContain('internal')
    }
    // And the network policy admits only session-server pods to it.
    const policy = named('NetworkPolicy', 'backend')!
    const internalRule = policy.spec.ingress.find((r: { ports: { port: string }[] }) => r.ports.some((p) => p.port === 'internal'))
    expect(internalRule.from).toEqual([{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'session-server' } } }])
  })
})
