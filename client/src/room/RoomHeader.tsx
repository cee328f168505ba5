import { useEffect, useState } from 'react'
import styles from './Room.module.css'

type CopyState = 'idle' | 'copied' | 'failed'

export function RoomHeader({
  name,
  memberCount,
  isOwner,
  membersOpen,
  onToggleMembers,
  onDelete,
}: {
  name: string
  memberCount: number
  isOwner: boolean
  membersOpen: boolean
  onToggleMembers: () => void
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
          <span aria-live="polite">{copy === 'copied' ? 'Copied' : copy === 'failed' ? 'Copy failed' : 'Copy link'}</span>
        </button>
        {isOwner && (
          <button type="button" className={`btn btn-small btn-ghost ${styles.danger}`} onClick={onDelete}>
            Delete
          </button>
        )}
        <button
          type="button"
          className={`btn btn-small ${styles.membersToggle}`}
          aria-expanded={membersOpen}
          aria-controls="members-panel"
          onClick={onToggleMembers}
        >
          Members <span className={styles.badge}>{memberCount}</span>
        </button>
      </div>
    </header>
  )
}
