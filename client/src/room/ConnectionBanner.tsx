import { useEffect, useState } from 'react'
import styles from './Room.module.css'
import type { ConnectionStatus } from './connection/connectionStatus.js'

/**
 * What the connection is doing, when it is not simply live: hidden while live, and on the very
 * first connect (the message list shows its own "Connecting…").
 */
export function ConnectionBanner({
  status,
  hasConnected,
  onRetry,
}: {
  status: ConnectionStatus
  hasConnected: boolean
  onRetry: () => void
}) {
  const now = useNow(status.kind === 'reconnecting')
  if (status.kind === 'live' || status.kind === 'closed') return null
  if (status.kind === 'connecting' && !hasConnected && status.attempt === 0) return null

  let text: string
  let retry = false
  if (status.kind === 'offline') {
    text = 'You are offline. Messages you send will go out when you are back online.'
  } else if (status.kind === 'reconnecting') {
    const seconds = Math.max(0, Math.ceil((status.retryAt - now) / 1000))
    text = seconds > 0 ? `Connection lost. Retrying in ${seconds} s.` : 'Connection lost. Retrying now.'
    retry = true
  } else {
    text = 'Reconnecting…'
  }

  return (
    <div className={status.kind === 'offline' ? `${styles.banner} ${styles.bannerOffline}` : styles.banner} role="status">
      <span className={styles.bannerDot} aria-hidden="true" />
      <span className={styles.bannerText}>{text}</span>
      {retry && (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Retry now
        </button>
      )}
    </div>
  )
}

/** The current time, re-rendered every second while `ticking`. */
function useNow(ticking: boolean): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    if (!ticking) return
    setNow(Date.now())
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [ticking])
  return now
}
