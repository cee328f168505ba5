import { describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'

const SECRETS = { SERVICE_TOKEN: 's'.repeat(32) }

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadConfig(SECRETS)).toMatchObject({
      PORT: 8000,
      BIND_ADDRESS: '127.0.0.1',
      PUBLIC_HOST: 'localhost:8000',
      BACKEND_URL: 'http://localhost:8080',
      MAX_USERS_PER_ROOM: 100,
      MAX_MESSAGE_LENGTH: 1000,
      MAX_PAYLOAD_BYTES: 16384,
      MESSAGE_RATE_PER_MINUTE: 30,
      MESSAGE_BURST: 5,
      ROOM_UNLOAD_GRACE_MS: 30000,
      PING_INTERVAL_MS: 30000,
      MAX_BUFFERED_BYTES: 1048576,
      TYPING_TIMEOUT_MS: 6000,
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
    })
  })

  it('derives PUBLIC_HOST from PORT and strips a trailing slash from BACKEND_URL', () => {
    const config = loadConfig({ ...SECRETS, PORT: '8003', BACKEND_URL: 'http://api:8080/' })
    expect(config.PUBLIC_HOST).toBe('localhost:8003')
    expect(config.BACKEND_URL).toBe('http://api:8080')
  })

  it.each([
    [{}, /^SERVICE_TOKEN: is required$/],
    [{ SERVICE_TOKEN: 'short' }, /^SERVICE_TOKEN: must be at least 32 characters$/],
    [{ ...SECRETS, ROOM_TOKEN_PUBLIC_KEY: 'not a key' }, /^ROOM_TOKEN_PUBLIC_KEY: must be a PEM key/],
    [{ ...SECRETS, PORT: 'eighty' }, /^PORT: /],
    [{ ...SECRETS, MAX_USERS_PER_ROOM: '0' }, /^MAX_USERS_PER_ROOM: /],
    [{ ...SECRETS, BACKEND_URL: 'not a url' }, /^BACKEND_URL: /],
    [{ ...SECRETS, LOG_FORMAT: 'xml' }, /^LOG_FORMAT: /],
  ])('refuses %j with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message)
    try {
      loadConfig(env)
    } catch (error) {
      expect((error as Error).message).not.toContain('\n')
    }
  })

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ ...SECRETS, PORT: '' }).PORT).toBe(8000)
  })

  describe('under Hathora', () => {
    const HATHORA = { HATHORA_HOSTNAME: 'abc123.edge.hathora.dev', HATHORA_DEFAULT_PORT: '31942', HATHORA_PROCESS_ID: 'p-1' }

    it('takes PUBLIC_HOST from the exposed hostname and port, and keeps PORT as the container port', () => {
      const config = loadConfig({ ...SECRETS, ...HATHORA })
      expect(config.PUBLIC_HOST).toBe('abc123.edge.hathora.dev:31942')
      expect(config.PORT).toBe(8000)
      expect(config.HATHORA_PROCESS_ID).toBe('p-1')
    })

    it('lets an explicit PUBLIC_HOST win', () => {
      expect(loadConfig({ ...SECRETS, ...HATHORA, PUBLIC_HOST: 'chat.example.com:443' }).PUBLIC_HOST).toBe(
        'chat.example.com:443',
      )
    })

    it('names HATHORA_DEFAULT_PORT when the hostname comes without it', () => {
      expect(() => loadConfig({ ...SECRETS, HATHORA_HOSTNAME: 'abc123.edge.hathora.dev' })).toThrow(
        /^HATHORA_DEFAULT_PORT: is required with HATHORA_HOSTNAME$/,
      )
    })
  })
})
