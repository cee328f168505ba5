import type { ReactNode } from 'react'
import { Link } from 'react-router'
import { formatFullTime } from '../components/formatTime.js'
import styles from './Lobby.module.css'
import { relativeTime } from '../components/relativeTime.js'

/**
 * One room in a lobby list: its initial, its name with the lines given under it, its last activity
 * with `aside` under it (unread badges).
 */
export function RoomLink({
  roomId,
  name,
  lastActivityAt,
  aside,
  children,
}: {
  roomId: string
  name: string
  lastActivityAt: string
  aside?: ReactNode
  children: ReactNode
}) {
  return (
    <Link to={`/rooms/${roomId}`} className={styles.room}>
      <span className={styles.roomAvatar} aria-hidden="true">
        {name.trim().charAt(0).toUpperCase() || '#'}
      </span>
      <span className={styles.roomText}>
        <span className={styles.roomName}>{name}</span>
        {children}
      </span>
      <span className={styles.roomSide}>
        <time className={styles.roomTime} dateTime={lastActivityAt} title={formatFullTime(lastActivityAt)}>
          <span className="visually-hidden">Last activity </span>
          {relativeTime(lastActivityAt)}
        </time>
        {aside}
      </span>
    </Link>
  )
}
