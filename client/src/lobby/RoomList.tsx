import type { RoomSummary } from '@scalable-chat/backend-contract'
import { useCallback, useEffect, useState } from 'react'
import { api } from '../api/api.js'
import { isApiError } from '../api/ApiError.js'
import { useSession } from '../auth/useSession.js'
import styles from './Lobby.module.css'
import { RoomLink } from './RoomLink.js'

type Load = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; rooms: RoomSummary[] }

/** "Your rooms": the rooms this user created or joined, most recently active first. */
export function RoomList() {
  const session = useSession()
  const [load, setLoad] = useState<Load>({ state: 'loading' })

  const fetchRooms = useCallback(() => {
    let cancelled = false
    setLoad({ state: 'loading' })
    api.listRooms().then(
      (rooms) => {
        if (cancelled) return
        const sorted = [...rooms].sort((a, b) => Date.parse(b.lastActivityAt) - Date.parse(a.lastActivityAt))
        setLoad({ state: 'ready', rooms: sorted })
      },
      (error: unknown) => {
        if (!cancelled) setLoad({ state: 'error', message: isApiError(error) ? error.message : 'Could not load your rooms.' })
      },
    )
    return () => {
      cancelled = true
    }
  }, [])
  useEffect(fetchRooms, [fetchRooms])

  return (
    <section className={styles.listSection} aria-labelledby="your-rooms">
      <h2 id="your-rooms" className={styles.sectionTitle}>
        Your rooms
      </h2>
      {load.state === 'loading' && (
        <p className={styles.muted} role="status">
          Loading your rooms…
        </p>
      )}
      {load.state === 'error' && (
        <div className={styles.errorBox} role="alert">
          <span>{load.message}</span>
          <button type="button" className="btn btn-small" onClick={fetchRooms}>
            Try again
          </button>
        </div>
      )}
      {load.state === 'ready' && load.rooms.length === 0 && (
        <p className={styles.empty}>
          {session?.user.guest
            ? 'You left the room you were invited to. Open its link again to come back.'
            : 'No rooms yet. Create one, or join with a link someone shared with you.'}
        </p>
      )}
      {load.state === 'ready' && load.rooms.length > 0 && (
        <ul className={styles.list}>
          {load.rooms.map((room) => (
            <li key={room.roomId}>
              <RoomLink roomId={room.roomId} name={room.name} lastActivityAt={room.lastActivityAt}>
                <span className={styles.roomMeta}>
                  {room.owner.id === session?.user.id ? 'Yours' : `by ${room.owner.username}`}
                  {room.visibility === 'public' && ' · public'}
                </span>
              </RoomLink>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
