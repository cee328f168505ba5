import type { MyRoom } from '@scalable-chat/backend-contract'
import { useCallback, useEffect, useState } from 'react'
import { api } from '../api/api.js'
import { isApiError } from '../api/ApiError.js'

/** The lobby's own rooms are fetched again this often while the page is visible (and on focus). */
export const ROOMS_REFRESH_INTERVAL_MS = 30_000

export type MyRoomsLoad = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; rooms: MyRoom[] }

/**
 * The user's rooms, most recently active first, with their unread counts, kept fresh: fetched
 * again when the window comes back to the front or the page becomes visible, and every
 * `ROOMS_REFRESH_INTERVAL_MS` while it is visible. A refresh that fails keeps the list shown (it
 * is a little stale, not wrong); only the first load shows an error. `retry` starts over.
 */
export function useMyRooms(): { load: MyRoomsLoad; retry: () => void } {
  const [load, setLoad] = useState<MyRoomsLoad>({ state: 'loading' })
  const [attempt, setAttempt] = useState(0)

  useEffect(() => {
    let disposed = false
    let inFlight = false
    const refresh = () => {
      if (inFlight) return
      inFlight = true
      api.listRooms().then(
        (rooms) => {
          if (disposed) return
          const sorted = [...rooms].sort((a, b) => Date.parse(b.lastActivityAt) - Date.parse(a.lastActivityAt))
          setLoad({ state: 'ready', rooms: sorted })
        },
        (error: unknown) => {
          if (disposed) return
          const message = isApiError(error) ? error.message : 'Could not load your rooms.'
          setLoad((shown) => (shown.state === 'ready' ? shown : { state: 'error', message }))
        },
      ).finally(() => {
        inFlight = false
      })
    }
    const refreshIfVisible = () => {
      if (document.visibilityState === 'visible') refresh()
    }
    refresh()
    window.addEventListener('focus', refresh)
    document.addEventListener('visibilitychange', refreshIfVisible)
    const timer = setInterval(refreshIfVisible, ROOMS_REFRESH_INTERVAL_MS)
    return () => {
      disposed = true
      window.removeEventListener('focus', refresh)
      document.removeEventListener('visibilitychange', refreshIfVisible)
      clearInterval(timer)
    }
  }, [attempt])

  const retry = useCallback(() => {
    setLoad({ state: 'loading' })
    setAttempt((n) => n + 1)
  }, [])
  return { load, retry }
}
