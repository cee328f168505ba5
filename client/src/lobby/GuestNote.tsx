import { useSession } from '../auth/useSession.js'
import { formatFullTime } from '../components/formatTime.js'
import styles from './Lobby.module.css'

/**
 * A guest's lobby, in place of creating and joining rooms (which a guest may not do): what a
 * guest is, until when, and how to get more. Its room is in the list below.
 */
export function GuestNote() {
  const session = useSession()
  const until = session ? formatFullTime(new Date(session.expiresAt).toISOString()) : ''
  return (
    <section className={styles.card} aria-labelledby="guest-note">
      <h2 id="guest-note" className={styles.cardTitle}>
        You are here as a guest
      </h2>
      <p className={styles.muted}>
        You can chat in the room you were invited to until {until}. To create rooms or join others, create an account:
        signing out ends your guest visit, and a guest cannot sign in again.
      </p>
    </section>
  )
}
