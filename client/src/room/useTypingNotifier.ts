import { useCallback, useEffect, useRef } from 'react'
import type { ChatConnection } from './connection/ChatConnection.js'

/** Typing stops being announced after this long without a keystroke. */
export const TYPING_IDLE_MS = 3_000
/**
 * While typing continues, "typing: true" is repeated this often (and no more: it is throttled),
 * so that other clients, which expire an indicator after a few seconds, keep showing it.
 */
export const TYPING_REFRESH_MS = 4_000

/** `onInput` on every keystroke; `stop` on send. Announces "stopped" on unmount too. */
export function useTypingNotifier(connection: ChatConnection | null) {
  const lastSentAt = useRef<number | null>(null)
  const idleTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)

  const stop = useCallback(() => {
    clearTimeout(idleTimer.current)
    if (lastSentAt.current !== null) {
      lastSentAt.current = null
      connection?.setTyping(false)
    }
  }, [connection])

  const onInput = useCallback(
    (text: string) => {
      if (!text.trim()) {
        stop()
        return
      }
      const now = Date.now()
      if (lastSentAt.current === null || now - lastSentAt.current >= TYPING_REFRESH_MS) {
        lastSentAt.current = now
        connection?.setTyping(true)
      }
      clearTimeout(idleTimer.current)
      idleTimer.current = setTimeout(stop, TYPING_IDLE_MS)
    },
    [connection, stop],
  )

  useEffect(() => stop, [stop])
  return { onInput, stop }
}
