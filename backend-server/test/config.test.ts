import { describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'

const secrets = { JWT_SECRET: 'x'.repeat(32), SERVICE_TOKEN: 'y'.repeat(32) }

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(secrets)
    expect(config).toMatchObject({
      port: 8080,
      bindAddress: '127.0.0.1',
      databaseUrl: undefined,
      dataDir: '.data',
      scheduler: 'local',
      sessionServerHosts: ['localhost:8000'],
      maxRoomsPerServer: 10,
      healthCheckIntervalMs: 5000,
      healthCheckTimeoutMs: 1000,
      userTokenTtlSeconds: 86_400,
      roomTokenTtlSeconds: 300,
      corsOrigins: ['http://localhost:5173'],
      jsonBodyLimit: '16kb',
      logLevel: 'info',
      logFormat: 'json',
    })
  })

  it('treats an empty variable as unset, as the session server does', () => {
    const config = loadConfig({ ...secrets, PORT: '', DATABASE_URL: '', METRICS_TOKEN: '', TRUST_PROXY: '', SESSION_SERVER_HOST: '' })
    expect(config).toMatchObject({ port: 8080, databaseUrl: undefined, metricsToken: undefined, trustProxy: false, sessionServerHosts: ['localhost:8000'] })
    expect(() => loadConfig({ ...secrets, JWT_SECRET: '' })).toThrow(/^JWT_SECRET: is required$/)
  })

  it('keeps guests off unless ALLOW_GUESTS says true or 1, for GUEST_TTL_HOURS (24 by default, fractions allowed)', () => {
    expect(loadConfig(secrets)).toMatchObject({ allowGuests: false, guestTtlSeconds: 86_400, guestSweepIntervalMs: 60_000 })
    expect(loadConfig({ ...secrets, ALLOW_GUESTS: 'true' }).allowGuests).toBe(true)
    expect(loadConfig({ ...secrets, ALLOW_GUESTS: '1' }).allowGuests).toBe(true)
    expect(loadConfig({ ...secrets, ALLOW_GUESTS: '0' }).allowGuests).toBe(false)
    expect(loadConfig({ ...secrets, GUEST_TTL_HOURS: '0.5' }).guestTtlSeconds).toBe(1800)
    expect(() => loadConfig({ ...secrets, ALLOW_GUESTS: 'yes' })).toThrow(/^ALLOW_GUESTS: must be true or false$/)
    expect(() => loadConfig({ ...secrets, GUEST_TTL_HOURS: '0' })).toThrow(/^GUEST_TTL_HOURS: /)
  })

  it('splits comma-separated lists and trims them', () => {
    const config = loadConfig({ ...secrets, SESSION_SERVER_HOST: 'a:1, b:2,', CORS_ORIGIN: 'http://x, http://y' })
    expect(config.sessionServerHosts).toEqual(['a:1', 'b:2'])
    expect(config.corsOrigins).toEqual(['http://x', 'http://y'])
  })

  it('names the variable in one line when a secret is missing or too short', () => {
    expect(() => loadConfig({ SERVICE_TOKEN: 'y'.repeat(32) })).toThrow(/^JWT_SECRET: is required$/)
    expect(() => loadConfig({ ...secrets, JWT_SECRET: 'short' })).toThrow(
      /^JWT_SECRET: must be at least 32 characters$/,
    )
    expect(() => loadConfig({ JWT_SECRET: 'x'.repeat(32) })).toThrow(/^SERVICE_TOKEN: /)
  })

  it('rejects invalid numbers, schedulers and URLs, naming the variable', () => {
    expect(() => loadConfig({ ...secrets, PORT: 'eighty' })).toThrow(/^PORT: /)
    expect(() => loadConfig({ ...secrets, MAX_ROOMS_PER_SERVER: '0' })).toThrow(/^MAX_ROOMS_PER_SERVER: /)
    expect(() => loadConfig({ ...secrets, SCHEDULER: 'magic' })).toThrow(/^SCHEDULER: /)
    expect(() => loadConfig({ ...secrets, DATABASE_URL: 'mysql://x' })).toThrow(/^DATABASE_URL: /)
    expect(() => loadConfig({ ...secrets, SESSION_SERVER_HOST: 'http://a:1/' })).toThrow(/^SESSION_SERVER_HOST: /)
  })

  describe('the Hathora scheduler', () => {
    it('is chosen when HATHORA_APP_ID is set and SCHEDULER is not, with the documented defaults', () => {
      const config = loadConfig({ ...secrets, HATHORA_APP_ID: 'app-123', HATHORA_TOKEN: 'tok' })
      expect(config.scheduler).toBe('hathora')
      expect(config.hathora).toEqual({
        appId: 'app-123',
        token: 'tok',
        region: 'Washington_DC',
        apiUrl: 'https://api.hathora.dev',
        activationTimeoutMs: 30_000,
        pollIntervalMs: 250,
        requestTimeoutMs: 5000,
        maxRetries: 4,
      })
    })

    it('stays local when SCHEDULER=local or HATHORA_APP_ID is empty, and carries no Hathora settings', () => {
      const forced = loadConfig({ ...secrets, SCHEDULER: 'local', HATHORA_APP_ID: 'app-123' })
      expect(forced.scheduler).toBe('local')
      expect(forced.hathora).toBeUndefined()
      expect(loadConfig({ ...secrets, HATHORA_APP_ID: '' }).scheduler).toBe('local')
    })

    it('says in one line which Hathora variable is missing or invalid', () => {
      expect(() => loadConfig({ ...secrets, HATHORA_APP_ID: 'app-123' })).toThrow(
        /^HATHORA_TOKEN: is required when SCHEDULER=hathora$/,
      )
      expect(() => loadConfig({ ...secrets, SCHEDULER: 'hathora', HATHORA_TOKEN: 'tok' })).toThrow(
        /^HATHORA_APP_ID: is required when SCHEDULER=hathora$/,
      )
      const hathora = { ...secrets, HATHORA_APP_ID: 'app-123', HATHORA_TOKEN: 'tok' }
      expect(() => loadConfig({ ...hathora, HATHORA_REGION: 'Mars' })).toThrow(/^HATHORA_REGION: must be one of Seattle, /)
      expect(() => loadConfig({ ...hathora, HATHORA_API_URL: 'not a url' })).toThrow(/^HATHORA_API_URL: /)
      expect(() => loadConfig({ ...hathora, HATHORA_ACTIVATION_TIMEOUT_MS: '600000' })).toThrow(
        /^HATHORA_ACTIVATION_TIMEOUT_MS: must be at most 100000$/,
      )
    })
  })
})
