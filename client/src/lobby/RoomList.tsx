import type { MyRoom } from '@scalable-chat/backend-contract'
import { useSyncExternalStore } from 'react'
import { useSession } from '../auth/useSession.js'
import { knownRead, knownReadsVersion, subscribeKnownReads } from '../components/knownReads.js'
import styles from './Lobby.module.css'
import { RoomLink } from './RoomLink.js'
import { unreadBadge, unreadText, withKnownRead } from './unreadText.js'
import { useMyRooms } from './useMyRooms.js'

/** "Your rooms": the rooms this user created or joined, most recently active first, with what they have not read. */
export function RoomList() {
  const session = useSession()
  const { load, retry } = useMyRooms()
  // A room read in this tab or another just now shows read at once, before the backend has it.
  useSyncExternalStore(subscribeKnownReads, knownReadsVersion)
  const userId = session?.user.id ?? ''

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
          <button type="button" className="btn btn-small" onClick={retry}>
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
          {load.rooms.map((listed) => {
            const room = withKnownRead(listed, knownRead(userId, listed.roomId))
            const unread = unreadText(room.unread, room.mentions)
            return (
              <li key={room.roomId}>
                <RoomLink roomId={room.roomId} name={room.name} lastActivityAt={room.lastActivityAt} aside={<UnreadBadges room={room} />}>
                  {unread && <span className="visually-hidden">{unread}.</span>}
                  <span className={styles.roomMeta}>
                    {room.owner.id === userId ? 'Yours' : `by ${room.owner.username}`}
                    {room.visibility === 'public' && ' · public'}
                  </span>
                  {room.lastMessage && (
                    <span className={room.unread > 0 ? `${styles.preview} ${styles.previewUnread}` : styles.preview}>
                      <span className={styles.previewAuthor}>{room.lastMessage.username === session?.user.username ? 'You' : room.lastMessage.username}:</span>{' '}
                      {room.lastMessage.text}
                    </span>
                  )}
                </RoomLink>
              </li>
            )
          })}
        </ul>
      )}
    </section>
  )
}

/** The count of unread messages, and of those that mention the user; for the eye only (the link says them in words). */
function UnreadBadges({ room }: { room: MyRoom }) {
  if (room.unread === 0) return null
  return (
    <span className={styles.badges} aria-hidden="true">
      {room.mentions > 0 && (
        <span className={styles.mentionBadge} title={`${room.mentions} ${room.mentions === 1 ? 'mention' : 'mentions'}`}>
          @{room.mentions}
        </span>
      )}
      <span className={styles.unreadBadge}>{unreadBadge(room.unread)}</span>
    </span>
  )
}
