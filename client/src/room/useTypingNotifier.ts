import { useEffect, useMemo, useRef } from 'react'
import type { ChatConnection } from './connection/ChatConnection.js'
import { TypingNotifier } from './connection/TypingNotifier.js'

/** The composer's `TypingNotifier`: `onInput` on every keystroke, `stop` on send; "stopped" on unmount too. */
export function useTypingNotifier(connection: ChatConnection | null, typingTimeoutMs: number) {
  const timeout = useRef(typingTimeoutMs)
  timeout.current = typingTimeoutMs
  const notifier = useMemo(
    () => new TypingNotifier((typing) => connection?.setTyping(typing), () => timeout.current),
    [connection],
  )
  useEffect(() => () => notifier.stop(), [notifier])
  return useMemo(() => ({ onInput: (text: string) => notifier.input(text), stop: () => notifier.stop() }), [notifier])
}
