import type { MemberStatus } from '@scalable-chat/protocol'
import { useEffect, useState } from 'react'
import type { ChatConnection } from './connection/ChatConnection.js'
import { AWAY_AFTER_IDLE_MS, effectiveStatus } from './effectiveStatus.js'
const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'focus'] as const

/**
 * The user's own presence: the status they chose in the members panel, turned into "away" after
 * five idle minutes or while the tab is hidden, and back on the next activity.
 */
export function usePresence(connection: ChatConnection | null) {
  const [chosen, setChosen] = useState<MemberStatus>('online')
  const [idle, setIdle] = useState(() => typeof document !== 'undefined' && document.visibilityState === 'hidden')

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined
    let lastReset = 0
    const arm = () => {
      clearTimeout(timer)
      timer = setTimeout(() => setIdle(true), AWAY_AFTER_IDLE_MS)
    }
    const onActivity = () => {
      // pointermove fires constantly; re-arming the timer once a second is plenty.
      const now = Date.now()
      if (now - lastReset < 1000) return
      lastReset = now
      if (document.visibilityState === 'hidden') return
      setIdle(false)
      arm()
    }
    const onVisibility = () => {
      if (document.visibilityState === 'hidden') {
        clearTimeout(timer)
        setIdle(true)
      } else {
        lastReset = 0
        onActivity()
      }
    }
    for (const type of ACTIVITY_EVENTS) window.addEventListener(type, onActivity, { passive: true })
    document.addEventListener('visibilitychange', onVisibility)
    arm()
    return () => {
      clearTimeout(timer)
      for (const type of ACTIVITY_EVENTS) window.removeEventListener(type, onActivity)
      document.removeEventListener('visibilitychange', onVisibility)
    }
  }, [])

  const status = effectiveStatus(chosen, idle)
  useEffect(() => {
    connection?.setOwnStatus(status)
  }, [connection, status])

  return { chosen, setChosen, status }
}
