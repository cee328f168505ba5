import type { Member, MemberStatus, OfflineMember } from '@scalable-chat/protocol'
import { MEMBER_STATUSES } from '@scalable-chat/protocol/codes'
import { useEffect, useId, type ReactNode } from 'react'
import { GuestBadge } from '../components/GuestBadge.js'
import { relativeTime } from '../components/relativeTime.js'
import styles from './Room.module.css'

export const STATUS_LABEL: Record<MemberStatus, string> = {
  online: 'Online',
  away: 'Away',
  dnd: 'Do not disturb',
}
const STATUS_ORDER: Record<MemberStatus, number> = { online: 0, away: 1, dnd: 2 }

export function MembersPanel({
  members,
  offline,
  youId,
  chosenStatus,
  onChooseStatus,
  open,
  onClose,
  children,
}: {
  members: Member[]
  /** Members not connected, the most recently seen first. */
  offline: OfflineMember[]
  youId: string | null
  chosenStatus: MemberStatus
  onChooseStatus: (status: MemberStatus) => void
  open: boolean
  onClose: () => void
  /** Below the list (the owner's room settings). */
  children?: ReactNode
}) {
  const id = useId()
  const sorted = [...members].sort(
    (a, b) =>
      Number(b.userId === youId) - Number(a.userId === youId) ||
      STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
      a.username.localeCompare(b.username),
  )
  useEffect(() => {
    if (!open) return
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose()
    }
    window.addEventListener('keydown', onKeyDown)
    return () => window.removeEventListener('keydown', onKeyDown)
  }, [open, onClose])

  return (
    <>
    {open && <div className={styles.backdrop} onClick={onClose} aria-hidden="true" />}
    <aside
      id="members-panel"
      className={open ? `${styles.members} ${styles.membersOpen}` : styles.members}
      aria-labelledby={`${id}-title`}
    >
      <div className={styles.membersHead}>
        <h2 id={`${id}-title`} className={styles.membersTitle}>
          Members <span className={styles.badge}>{members.length}</span>
        </h2>
        <button type="button" className={`btn btn-small btn-ghost ${styles.membersClose}`} onClick={onClose}>
          Close
        </button>
      </div>
      <div className="field">
        <label htmlFor={`${id}-status`}>Your status</label>
        <select
          id={`${id}-status`}
          className="input"
          value={chosenStatus}
          onChange={(e) => onChooseStatus(e.target.value as MemberStatus)}
        >
          {MEMBER_STATUSES.map((status) => (
            <option key={status} value={status}>
              {STATUS_LABEL[status]}
            </option>
          ))}
        </select>
      </div>
      <ul className={styles.memberList}>
        {sorted.map((member) => (
          <li key={member.userId} className={styles.member}>
            <span className={`${styles.presence} ${styles[member.status]}`} aria-hidden="true" />
            <span className={styles.memberText}>
              <span className={styles.memberName}>
                {member.username}
                {member.guest && <GuestBadge />}
                {member.userId === youId && <span className={styles.you}> (you)</span>}
              </span>
              {member.status === 'online' ? (
                <span className="visually-hidden">Online</span>
              ) : (
                <span className={styles.memberStatus}>{STATUS_LABEL[member.status]}</span>
              )}
            </span>
          </li>
        ))}
      </ul>
      {offline.length > 0 && (
        <>
          <h3 className={styles.offlineTitle}>
            Offline <span className={styles.badge}>{offline.length}</span>
          </h3>
          <ul className={styles.memberList} aria-label="Offline">
            {offline.map((member) => (
              <li key={member.userId} className={styles.member}>
                <span className={`${styles.presence} ${styles.offline}`} aria-hidden="true" />
                <span className={styles.memberText}>
                  <span className={`${styles.memberName} ${styles.offlineName}`}>
                    {member.username}
                    {member.guest && <GuestBadge />}
                  </span>
                  <span className={styles.memberStatus}>{member.lastSeenAt ? `Last seen ${relativeTime(member.lastSeenAt)}` : 'Offline'}</span>
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      {children}
    </aside>
    </>
  )
}
