import { useCallback, useEffect, useRef } from 'react'
import type { ChatConnection } from './connection/ChatConnection.js'

/** Typing stops being announced after this long without a keystroke. */
export const TYPING_IDLE_MS = 3_000
/**
 * `onInput` on every keystroke; `stop` on send. Announces "stopped" on unmount too. While typing
 * continues, "typing: true" is repeated every two thirds of the server's `typingTimeoutMs` (and no
 * more often: it is throttled), so that the indicator the others see never times out mid-word.
 */
export function useTypingNotifier(connection: ChatConnection | null, typingTimeoutMs: number) {
  const refreshMs = (typingTimeoutMs * 2) / 3
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
      if (lastSentAt.current === null || now - lastSentAt.current >= refreshMs) {
        lastSentAt.current = now
        connection?.setTyping(true)
      }
      clearTimeout(idleTimer.current)
      idleTimer.current = setTimeout(stop, TYPING_IDLE_MS)
    },
    [connection, stop, refreshMs],
  )

  useEffect(() => stop, [stop])
  return { onInput, stop }
}
