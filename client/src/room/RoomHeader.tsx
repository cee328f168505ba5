import { useEffect, useState } from 'react'
import { LineIcon } from '../components/LineIcon.js'
import styles from './Room.module.css'

const LINK_ICON =
  'M10 14a4 4 0 0 0 5.66 0l3-3a4 4 0 0 0-5.66-5.66l-1 1M14 10a4 4 0 0 0-5.66 0l-3 3a4 4 0 0 0 5.66 5.66l1-1'
const MEMBERS_ICON =
  'M16 19v-1a4 4 0 0 0-4-4H7a4 4 0 0 0-4 4v1M9.5 10a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7ZM21 19v-1a4 4 0 0 0-3-3.87M15.5 3.13a3.5 3.5 0 0 1 0 6.74'

const DELETE_ICON = 'M4 7h16M10 11v6m4-6v6M5 7l1 12a2 2 0 0 0 2 2h8a2 2 0 0 0 2-2l1-12M9 7V4h6v3'
const LEAVE_ICON = 'M15 4h3a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2h-3M10 17l5-5-5-5M15 12H3'
const BOARD_ICON = 'M4 5h16v11H4zM9 20l3-4 3 4M8 12l3-3 2 2 3-3'

type CopyState = 'idle' | 'copied' | 'failed'

export function RoomHeader({
  name,
  memberCount,
  isOwner,
  membersOpen,
  boardOpen,
  onToggleMembers,
  onToggleBoard,
  onLeave,
  onDelete,
}: {
  name: string
  memberCount: number
  isOwner: boolean
  membersOpen: boolean
  boardOpen: boolean
  onToggleMembers: () => void
  onToggleBoard: () => void
  onLeave: () => void
  onDelete: () => void
}) {
  const [copy, setCopy] = useState<CopyState>('idle')
  useEffect(() => {
    if (copy === 'idle') return
    const timer = setTimeout(() => setCopy('idle'), 2000)
    return () => clearTimeout(timer)
  }, [copy])

  async function copyLink() {
    try {
      await navigator.clipboard.writeText(window.location.href.split(/[?#]/)[0]!)
      setCopy('copied')
    } catch {
      setCopy('failed')
    }
  }

  return (
    <header className={styles.header}>
      <div className={styles.headerTitle}>
        <h1 className={styles.roomName}>{name}</h1>
        <span className={styles.memberCount}>
          {memberCount} {memberCount === 1 ? 'person' : 'people'} here
        </span>
      </div>
      <div className={styles.headerActions}>
        <button type="button" className="btn btn-small" onClick={copyLink}>
          <LineIcon className={styles.icon} path={LINK_ICON} />
          <span
            aria-live="polite"
            className={copy === 'idle' ? styles.buttonLabel : `${styles.buttonLabel} ${styles.buttonLabelShown}`}
          >
            {copy === 'copied' ? 'Copied' : copy === 'failed' ? 'Copy failed' : 'Copy link'}
          </span>
        </button>
        <button type="button" className={`btn btn-small ${styles.boardToggle}`} aria-pressed={boardOpen} onClick={onToggleBoard}>
          <LineIcon className={styles.icon} path={BOARD_ICON} />
          <span className={styles.buttonLabel}>Board</span>
        </button>
        <button type="button" className="btn btn-small btn-ghost" onClick={onLeave}>
          <LineIcon className={styles.icon} path={LEAVE_ICON} />
          <span className={styles.buttonLabel}>Leave</span>
        </button>
        {isOwner && (
          <button type="button" className={`btn btn-small btn-ghost ${styles.danger}`} onClick={onDelete}>
            <LineIcon className={styles.icon} path={DELETE_ICON} />
            <span className={styles.buttonLabel}>Delete</span>
          </button>
        )}
        <button
          type="button"
          className={`btn btn-small ${styles.membersToggle}`}
          aria-expanded={membersOpen}
          aria-controls="members-panel"
          onClick={onToggleMembers}
        >
          <LineIcon className={styles.icon} path={MEMBERS_ICON} />
          <span className={styles.buttonLabel}>Members</span> <span className={styles.badge}>{memberCount}</span>
        </button>
      </div>
    </header>
  )
}
