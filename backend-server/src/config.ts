/**
 * The backend's configuration: every environment variable, validated once at start-up. A missing
 * or invalid value stops the service with one line that names the variable.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { z } from 'zod'
import {
  KNOWN_TEST_KEY_IDS,
  refineSharedSecrets,
  roomTokenKeyId,
  roomTokenKeySetting,
  SessionServerAddress,
} from '@scalable-chat/backend-contract/internal'

const positiveInt = z.coerce.number().int().positive()
const commaList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0),
  )
  .pipe(z.array(z.string()).min(1, 'must name at least one value'))

/** Session server addresses as clients will connect to them: `host:port` or `ws(s)://` URLs. */
const HostList = commaList.pipe(z.array(SessionServerAddress))

/**
 * Express's `trust proxy`: `false` (default: the socket's address is the client's), a number of
 * proxy hops, or a comma-separated list of trusted proxy addresses/subnets (`loopback, 10.0.0.0/8`).
 * Behind a load balancer it must be set, or every client shares the balancer's IP and its limits.
 */
const TrustProxy = z
  .string()
  .trim()
  .transform((value): boolean | number | string => {
    if (value === '' || value === 'false') return false
    if (value === 'true') return true
    if (/^\d+$/.test(value)) return Number(value)
    return value
  })

/** A yes/no variable: `true` or `1`, `false` or `0`; anything else is a mistake worth stopping for. */
const Flag = z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).transform((value) => value === 'true' || value === '1')

/** Hathora Cloud's regions, as its rooms API spells them. */
export const HATHORA_REGIONS = [
  'Seattle',
  'Los_Angeles',
  'Washington_DC',
  'Chicago',
  'London',
  'Frankfurt',
  'Mumbai',
  'Singapore',
  'Tokyo',
  'Sydney',
  'Sao_Paulo',
  'Dallas',
  'Johannesburg',
  'Dubai',
] as const
export type HathoraRegion = (typeof HATHORA_REGIONS)[number]

const EnvSchema = z.object({
  NODE_ENV: z.string().default('development'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  BIND_ADDRESS: z.string().min(1).default('127.0.0.1'),
  INTERNAL_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  JWT_SECRET: z.string({ error: 'is required' }).min(32, 'must be at least 32 characters'),
  SERVICE_TOKEN: z.string({ error: 'is required' }).min(32, 'must be at least 32 characters'),
  ROOM_TOKEN_PRIVATE_KEY: roomTokenKeySetting('private').optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  SCHEDULER: z.enum(['local', 'fleet', 'hathora']).optional(),
  FLEET_HEARTBEAT_TIMEOUT_MS: positiveInt.default(15_000),
  SESSION_SERVER_HOST: HostList.default(['localhost:8000']),
  MAX_ROOMS_PER_SERVER: positiveInt.default(10),
  PENDING_PLACEMENT_GRACE_MS: positiveInt.default(10_000),
  MAX_PENDING_PLACEMENTS_PER_USER: positiveInt.default(3),
  ROOMS_PER_USER_PER_HOUR: positiveInt.default(30),
  HEALTH_CHECK_INTERVAL_MS: positiveInt.default(5000),
  HEALTH_CHECK_TIMEOUT_MS: positiveInt.default(1000),
  PLACEMENT_CACHE_TTL_MS: z.coerce.number().int().min(0).default(2000),
  USER_TOKEN_TTL_SECONDS: positiveInt.default(86_400),
  ALLOW_GUESTS: Flag.default(false),
  GUEST_TTL_HOURS: z.coerce.number().positive().max(24 * 365).default(24),
  GUEST_SWEEP_INTERVAL_MS: positiveInt.default(60_000),
  ROOM_TOKEN_TTL_SECONDS: positiveInt.default(300),
  AUTH_RATE_LIMIT_PER_MINUTE: positiveInt.default(30),
  LOGIN_MAX_FAILURES_PER_USERNAME_AND_IP: positiveInt.default(5),
  LOGIN_MAX_FAILURES_PER_IP: positiveInt.default(50),
  LOGIN_FAILURE_WINDOW_SECONDS: positiveInt.default(900),
  MAX_CONCURRENT_PASSWORD_HASHES: positiveInt.default(2),
  TRUST_PROXY: TrustProxy.default(false),
  METRICS_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional(),
  CORS_ORIGIN: commaList.default(['http://localhost:5173']),
  JSON_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must be a size such as 16kb')
    .default('16kb'),
  HATHORA_APP_ID: z.string().optional(),
  HATHORA_TOKEN: z.string().optional(),
  HATHORA_REGION: z
    .enum(HATHORA_REGIONS, { error: `must be one of ${HATHORA_REGIONS.join(', ')}` })
    .default('Washington_DC'),
  HATHORA_API_URL: z.url().default('https://api.hathora.dev'),
  HATHORA_ACTIVATION_TIMEOUT_MS: positiveInt.max(100_000, 'must be at most 100000').default(30_000),
  HATHORA_POLL_INTERVAL_MS: positiveInt.default(250),
  HATHORA_REQUEST_TIMEOUT_MS: positiveInt.default(5000),
  HATHORA_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(4),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
})
  // Production refuses guessable secrets: they would let anyone mint logins and room tokens.
  .superRefine(refineSharedSecrets)
  .superRefine((env, ctx) => {
    if (env.INTERNAL_PORT !== undefined && env.INTERNAL_PORT !== 0 && env.INTERNAL_PORT === env.PORT) {
      ctx.addIssue({ code: 'custom', path: ['INTERNAL_PORT'], message: 'must differ from PORT (leave it unset to serve /internal on PORT)' })
    }
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== 'production') return
    const key = env.ROOM_TOKEN_PRIVATE_KEY
    if (key === undefined) ctx.addIssue({ code: 'custom', path: ['ROOM_TOKEN_PRIVATE_KEY'], message: 'is required in production' })
    else if (KNOWN_TEST_KEY_IDS.includes(roomTokenKeyId(key))) {
      ctx.addIssue({ code: 'custom', path: ['ROOM_TOKEN_PRIVATE_KEY'], message: 'is the test helpers\' public key; generate your own' })
    }
  })

export interface BackendConfig {
  production: boolean
  port: number
  bindAddress: string
  /**
   * Where `/internal` (the session servers' API) listens when it has a port of its own, off the
   * public load balancer; `undefined`: on `port` beside `/api`.
   */
  internalPort: number | undefined
  jwtSecret: string
  serviceToken: string
  /** Signs room tokens (ES256). */
  roomTokenPrivateKey: KeyObject
  /** No `ROOM_TOKEN_PRIVATE_KEY` was given (development only): a fresh key was made for this process. */
  roomTokenKeyGenerated: boolean
  /** Postgres when set; otherwise PGlite in `${dataDir}/pglite`. */
  databaseUrl: string | undefined
  dataDir: string
  /** As `SCHEDULER` says; when unset, `hathora` if `HATHORA_APP_ID` is set, else `local`. */
  scheduler: 'local' | 'fleet' | 'hathora'
  /** Set exactly when `scheduler` is `hathora`. */
  hathora: HathoraConfig | undefined
  sessionServerHosts: string[]
  maxRoomsPerServer: number
  /** A placement no session server loaded stops holding a slot after this long. */
  pendingPlacementGraceMs: number
  /** Placements one user may hold that no session server has loaded yet. */
  maxPendingPlacementsPerUser: number
  /** Rooms one user may create per hour (in memory, per replica). */
  roomsPerUserPerHour: number
  healthCheckIntervalMs: number
  healthCheckTimeoutMs: number
  /** How long a join may answer a placement from memory (`CachedScheduler`); 0 turns the cache off. */
  placementCacheTtlMs: number
  /** SCHEDULER=fleet: a session server silent for this long is dead. */
  fleetHeartbeatTimeoutMs: number
  userTokenTtlSeconds: number
  roomTokenTtlSeconds: number
  /**
   * Whether someone opening a room link may enter with a name only (`POST /api/auth/guest`). Off:
   * no new guests; those already in keep their access until it ends.
   */
  allowGuests: boolean
  /** How long a guest's access lasts (`GUEST_TTL_HOURS`); its token expires then and is never renewed. */
  guestTtlSeconds: number
  /** How often expired guests are deleted (and their rooms' session servers told). */
  guestSweepIntervalMs: number
  /** Register + login attempts per client IP per minute. */
  authRateLimitPerMinute: number
  /** Failed logins of one username from one IP within the window before 429 with Retry-After. */
  loginMaxFailuresPerUsernameAndIp: number
  /** Failed logins from one IP (any username) within the window before 429 with Retry-After. */
  loginMaxFailuresPerIp: number
  loginFailureWindowSeconds: number
  /** scrypt runs at once (each 16 MiB and a libuv thread); more wait, a few dozen, then 503. */
  maxConcurrentPasswordHashes: number
  trustProxy: boolean | number | string
  /** Bearer token that `GET /metrics` requires; unset: `/metrics` answers 404. */
  metricsToken: string | undefined
  corsOrigins: string[]
  jsonBodyLimit: string
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL']
  logFormat: z.infer<typeof EnvSchema>['LOG_FORMAT']
}

export interface HathoraConfig {
  appId: string
  token: string
  region: HathoraRegion
  /** Base URL of Hathora's API (a local fake in tests). */
  apiUrl: string
  /** How long a new room may take to become active before the join gets a 503. */
  activationTimeoutMs: number
  /** First wait between connection-info polls and between retries; doubles up to 8×. */
  pollIntervalMs: number
  requestTimeoutMs: number
  /** Retries of one call after a 429, a 5xx or a network failure. */
  maxRetries: number
}

/** Thrown by `loadConfig`; the message is one line, e.g. `JWT_SECRET: must be at least 32 characters`. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

/**
 * @example
 * const config = loadConfig(process.env) // throws ConfigError naming the first bad variable
 */
export function loadConfig(env: Record<string, string | undefined>): BackendConfig {
  // An empty variable means "not set", as it does for a shell `FOO= cmd` and for the session
  // server: `PORT=` must not listen on a random port, nor `HATHORA_APP_ID=` pick Hathora.
  const result = EnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')))
  if (!result.success) {
    const issue = result.error.issues[0]
    const variable = String(issue?.path[0] ?? 'environment')
    throw new ConfigError(`${variable}: ${issue?.message ?? 'is invalid'}`)
  }
  const e = result.data
  const scheduler = e.SCHEDULER ?? (e.HATHORA_APP_ID ? 'hathora' : 'local')
  let hathora: HathoraConfig | undefined
  if (scheduler === 'hathora') {
    if (!e.HATHORA_APP_ID) throw new ConfigError('HATHORA_APP_ID: is required when SCHEDULER=hathora')
    if (!e.HATHORA_TOKEN) throw new ConfigError('HATHORA_TOKEN: is required when SCHEDULER=hathora')
    hathora = {
      appId: e.HATHORA_APP_ID,
      token: e.HATHORA_TOKEN,
      region: e.HATHORA_REGION,
      apiUrl: e.HATHORA_API_URL,
      activationTimeoutMs: e.HATHORA_ACTIVATION_TIMEOUT_MS,
      pollIntervalMs: e.HATHORA_POLL_INTERVAL_MS,
      requestTimeoutMs: e.HATHORA_REQUEST_TIMEOUT_MS,
      maxRetries: e.HATHORA_MAX_RETRIES,
    }
  }
  return {
    production: e.NODE_ENV === 'production',
    port: e.PORT,
    bindAddress: e.BIND_ADDRESS,
    internalPort: e.INTERNAL_PORT,
    jwtSecret: e.JWT_SECRET,
    serviceToken: e.SERVICE_TOKEN,
    // Outside production a missing key is made up: session servers fetch the public half from
    // this backend (and again when a token names a key they do not hold), so it works until the
    // process restarts, when tokens already handed out stop verifying.
    roomTokenPrivateKey: e.ROOM_TOKEN_PRIVATE_KEY ?? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
    roomTokenKeyGenerated: e.ROOM_TOKEN_PRIVATE_KEY === undefined,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    scheduler,
    hathora,
    sessionServerHosts: e.SESSION_SERVER_HOST,
    maxRoomsPerServer: e.MAX_ROOMS_PER_SERVER,
    pendingPlacementGraceMs: e.PENDING_PLACEMENT_GRACE_MS,
    maxPendingPlacementsPerUser: e.MAX_PENDING_PLACEMENTS_PER_USER,
    roomsPerUserPerHour: e.ROOMS_PER_USER_PER_HOUR,
    healthCheckIntervalMs: e.HEALTH_CHECK_INTERVAL_MS,
    healthCheckTimeoutMs: e.HEALTH_CHECK_TIMEOUT_MS,
    placementCacheTtlMs: e.PLACEMENT_CACHE_TTL_MS,
    fleetHeartbeatTimeoutMs: e.FLEET_HEARTBEAT_TIMEOUT_MS,
    userTokenTtlSeconds: e.USER_TOKEN_TTL_SECONDS,
    roomTokenTtlSeconds: e.ROOM_TOKEN_TTL_SECONDS,
    allowGuests: e.ALLOW_GUESTS,
    guestTtlSeconds: Math.round(e.GUEST_TTL_HOURS * 3600),
    guestSweepIntervalMs: e.GUEST_SWEEP_INTERVAL_MS,
    authRateLimitPerMinute: e.AUTH_RATE_LIMIT_PER_MINUTE,
    loginMaxFailuresPerUsernameAndIp: e.LOGIN_MAX_FAILURES_PER_USERNAME_AND_IP,
    loginMaxFailuresPerIp: e.LOGIN_MAX_FAILURES_PER_IP,
    loginFailureWindowSeconds: e.LOGIN_FAILURE_WINDOW_SECONDS,
    maxConcurrentPasswordHashes: e.MAX_CONCURRENT_PASSWORD_HASHES,
    trustProxy: e.TRUST_PROXY,
    metricsToken: e.METRICS_TOKEN,
    corsOrigins: e.CORS_ORIGIN,
    jsonBodyLimit: e.JSON_BODY_LIMIT,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
  }
}
