/**
 * The signed-in session (user token + user), kept in localStorage so it survives a reload until
 * the token expires. Components read it with `useSession()`; everything else with `getSession()`.
 * Other tabs follow along through the `storage` event, and an expiry timer signs out on time.
 */
import type { AuthResponse, User } from '@scalable-chat/backend-contract'
import { decodeTokenExpiry } from './decodeTokenExpiry.js'

export interface Session {
  token: string
  user: User
  /** Milliseconds since the epoch. */
  expiresAt: number
}

const STORAGE_KEY = 'scalable-chat.session'
// setTimeout overflows past ~24.8 days; a longer-lived token just re-checks then.
const MAX_TIMER_MS = 2 ** 31 - 1

const listeners = new Set<() => void>()
let current: Session | null = read()
let expiryTimer: ReturnType<typeof setTimeout> | undefined
scheduleExpiry()

if (typeof window !== 'undefined') {
  window.addEventListener('storage', (event) => {
    if (event.key !== STORAGE_KEY && event.key !== null) return
    current = read()
    scheduleExpiry()
    emit()
  })
}

function read(): Session | null {
  try {
    const raw = globalThis.localStorage?.getItem(STORAGE_KEY)
    if (!raw) return null
    const parsed = JSON.parse(raw) as Partial<Session>
    if (typeof parsed.token !== 'string' || typeof parsed.user?.id !== 'string') return null
    if (typeof parsed.expiresAt !== 'number' || parsed.expiresAt <= Date.now()) return null
    return parsed as Session
  } catch {
    return null
  }
}

function write(session: Session | null): void {
  try {
    if (session) globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify(session))
    else globalThis.localStorage?.removeItem(STORAGE_KEY)
  } catch {
    // Private mode or a full quota: the session still lives in memory for this tab.
  }
}

function emit(): void {
  for (const listener of listeners) listener()
}

function scheduleExpiry(): void {
  clearTimeout(expiryTimer)
  if (!current) return
  const delay = current.expiresAt - Date.now()
  expiryTimer = setTimeout(() => {
    if (current && current.expiresAt <= Date.now()) signOut()
    else scheduleExpiry()
  }, Math.min(Math.max(delay, 0), MAX_TIMER_MS))
}

/** The current session, or null when signed out or expired. */
export function getSession(): Session | null {
  if (current && current.expiresAt <= Date.now()) signOut()
  return current
}

export function subscribeSession(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** Stores what `POST /api/login` or `/api/register` answered. */
export function signIn({ token, user }: AuthResponse): void {
  const exp = decodeTokenExpiry(token)
  // A token without `exp` is unexpected; treat it as valid for a day rather than forever.
  const expiresAt = exp === null ? Date.now() + 86_400_000 : exp * 1000
  current = { token, user, expiresAt }
  write(current)
  scheduleExpiry()
  emit()
}

export function signOut(): void {
  if (!current) return
  current = null
  write(null)
  scheduleExpiry()
  emit()
}
