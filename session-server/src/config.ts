/**
 * The session server's configuration, read once from the environment and validated with zod.
 * A missing or invalid value throws an Error whose message is ONE line naming the variable;
 * `main.ts` prints it and exits 1.
 */
import { z } from 'zod'
import { MAX_STORED_TEXT_LENGTH, refineSharedSecrets, roomTokenKeySetting, SessionServerAddress } from '@scalable-chat/backend-contract/internal'
import { DEFAULT_LIMITS } from '@scalable-chat/protocol'

const int = (fallback: number, min = 1) => z.coerce.number().int().min(min).default(fallback)

const ConfigSchema = z
  .object({
    NODE_ENV: z.string().default('development'),
    PORT: z.coerce.number().int().min(0).max(65_535).default(8000),
    BIND_ADDRESS: z.string().min(1).default('127.0.0.1'),
    /**
     * The address clients connect to, `host:port` or a `ws(s)://` URL with a path (one ingress
     * for the whole fleet); room tokens must carry exactly this `host`.
     */
    PUBLIC_HOST: SessionServerAddress.optional(),
    /** Where the backend reaches this server over HTTP, if not at the address derived from PUBLIC_HOST. */
    INTERNAL_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** How often the server reports its load to the backend (the fleet's liveness signal). */
    FLEET_HEARTBEAT_INTERVAL_MS: int(5000, 100),
    /**
     * The public half of the backend's room-token key (PEM, or PEM in base64). Unset: fetched from
     * the backend (`GET /internal/room-token-key`), and again when the backend's key changes.
     */
    ROOM_TOKEN_PUBLIC_KEY: roomTokenKeySetting('public').optional(),
    SERVICE_TOKEN: z.string().min(32, 'must be at least 32 characters'),
    BACKEND_URL: z.url().default('http://localhost:8080'),
    MAX_USERS_PER_ROOM: int(100),
    MAX_MESSAGE_LENGTH: int(DEFAULT_LIMITS.maxMessageLength).pipe(
      z.number().max(MAX_STORED_TEXT_LENGTH, `must be at most ${MAX_STORED_TEXT_LENGTH} (what storage takes)`),
    ),
    MAX_PAYLOAD_BYTES: int(DEFAULT_LIMITS.maxFrameBytes, 256),
    MESSAGE_RATE_PER_MINUTE: int(DEFAULT_LIMITS.messagesPerMinute),
    MESSAGE_BURST: int(DEFAULT_LIMITS.messageBurst),
    /**
     * Frames of any type per user per second, over all their connections (see FrameRateLimiter):
     * room for a pointer at the cursor interval (20 a second) and a drag's edits beside it.
     */
    FRAMES_PER_SECOND: int(60),
    MAX_CONNECTIONS: int(10_000),
    MAX_CONNECTIONS_PER_USER: int(20),
    MAX_CONNECTIONS_PER_USER_PER_ROOM: int(5),
    CONNECTS_PER_USER_PER_MINUTE: int(30),
    ROOM_UNLOAD_GRACE_MS: int(30_000, 0),
    PING_INTERVAL_MS: int(30_000, 10),
    MAX_BUFFERED_BYTES: int(1_048_576, 1024),
    TYPING_TIMEOUT_MS: int(DEFAULT_LIMITS.typingTimeoutMs, 10),
    /** A member's typing and status changes reach the room at most this often (0: every change, at once). */
    PRESENCE_INTERVAL_MS: int(500, 0),
    /** Board pointers go out batched, one frame a member per this interval. */
    CURSOR_INTERVAL_MS: int(DEFAULT_LIMITS.cursorIntervalMs, 10),
    /** A pointer that has not moved for this long is taken off the others' boards. */
    CURSOR_IDLE_MS: int(10_000, 100),
    /** A changed board is saved at most this long after its first unsaved change (and on unload and drain). */
    BOARD_SAVE_DELAY_MS: int(2000, 0),
    /** Set by Hathora in every process: the public hostname and port of the process's exposed port. */
    HATHORA_HOSTNAME: z.string().min(1).optional(),
    HATHORA_DEFAULT_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
    /** Set by Hathora in every process; its presence means "running under Hathora". */
    HATHORA_PROCESS_ID: z.string().min(1).optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
    /** Bearer token `GET /metrics` requires; unset: no `/metrics` (session servers are public). */
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  })
  // Production refuses a guessable service token: it would let anyone act as the backend.
  .superRefine(refineSharedSecrets)
  .refine((env) => env.HATHORA_HOSTNAME === undefined || env.HATHORA_DEFAULT_PORT !== undefined, {
    path: ['HATHORA_DEFAULT_PORT'],
    message: 'is required with HATHORA_HOSTNAME',
  })
  .transform(({ PUBLIC_HOST, BACKEND_URL, HATHORA_HOSTNAME, HATHORA_DEFAULT_PORT, ...rest }) => ({
    ...rest,
    // Under Hathora, clients reach this process at the room's exposed port: the same host:port that
    // the backend reads from connection info and puts in room tokens. PORT stays the container port.
    PUBLIC_HOST:
      PUBLIC_HOST ??
      (HATHORA_HOSTNAME ? `${HATHORA_HOSTNAME}:${HATHORA_DEFAULT_PORT}` : `localhost:${rest.PORT}`),
    // Paths are appended to it, so a trailing slash would double up.
    BACKEND_URL: BACKEND_URL.replace(/\/+$/, ''),
  }))

export type Config = z.infer<typeof ConfigSchema>

/**
 * @example loadConfig({ SERVICE_TOKEN: '…32+ chars…', PORT: '8001', BACKEND_URL: 'http://backend:8080' })
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty variable means "not set", as it does for a shell `FOO= cmd`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const result = ConfigSchema.safeParse(cleaned)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const name = issue?.path[0] === undefined ? 'configuration' : String(issue.path[0])
  const problem = issue?.code === 'invalid_type' && cleaned[name] === undefined ? 'is required' : issue?.message
  throw new Error(`${name}: ${problem ?? 'is invalid'}`)
}
