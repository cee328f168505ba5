import styles from './GuestBadge.module.css'

/**
 * The "guest" mark beside a name: someone who entered from a room link with a name only. Visible
 * text, so a screen reader reads it with the name ("Bo guest").
 */
export function GuestBadge() {
  return <span className={styles.badge}>guest</span>
}
