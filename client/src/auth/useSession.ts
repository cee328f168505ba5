import { useSyncExternalStore } from 'react'
import { getSession, subscribeSession, type Session } from './sessionStore.js'

export function useSession(): Session | null {
  return useSyncExternalStore(subscribeSession, getSession, getSession)
}
