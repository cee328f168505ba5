import { Suspense, useEffect } from 'react'
import { Link, Outlet } from 'react-router'
import { api } from '../api/api.js'
import { RequireAuth } from '../auth/RequireAuth.js'
import { signOut } from '../auth/sessionStore.js'
import { useSession } from '../auth/useSession.js'
import styles from './AppShell.module.css'
import { BrandMark } from './BrandMark.js'
import { formatFullTime, formatShortTime } from './formatTime.js'
import { GuestBadge } from './GuestBadge.js'

/**
 * The signed-in frame: top bar with the brand, who is signed in (a guest: marked so, and until
 * when) and "Sign out"; the page below.
 * Signed out, it sends the user to sign in (and back here afterwards).
 */
export function AppShell() {
  return (
    <RequireAuth>
      <SignedInShell />
    </RequireAuth>
  )
}

function SignedInShell() {
  const session = useSession()

  useEffect(() => {
    // A stored token may belong to an account that no longer exists (a reset development
    // database): the 401 this gets signs the user out instead of failing later on every screen.
    api.me().catch(() => {})
  }, [])

  return (
    <div className={styles.shell}>
      <a className={styles.skipLink} href="#main">
        Skip to content
      </a>
      <header className={styles.topBar}>
        <Link to="/" className={styles.brand}>
          <BrandMark />
          Scalable Chat
        </Link>
        <div className={styles.account}>
          <span className={styles.username} title={`Signed in as ${session?.user.username ?? ''}`}>
            <span className="visually-hidden">Signed in as </span>
            {session?.user.username}
          </span>
          {session?.user.guest && (
            <span className={styles.guestInfo}>
              <GuestBadge />
              <GuestUntil expiresAt={session.expiresAt} />
            </span>
          )}
          <button type="button" className="btn btn-ghost btn-small" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className={styles.main}>
        {/* A screen's code loading for the first time (lobby → room): the bar, under the top bar. */}
        <Suspense fallback={<div className={styles.progress} role="progressbar" aria-label="Loading" />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  )
}

/** "Wed 14:05": a guest's access usually ends on another day than today. */
const dayAndTime = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: 'numeric', minute: '2-digit' })

/** When a guest's access ends: its token's expiry, which nothing renews. */
function GuestUntil({ expiresAt }: { expiresAt: number }) {
  const end = new Date(expiresAt)
  const iso = end.toISOString()
  const today = end.toDateString() === new Date().toDateString()
  return (
    <span className={styles.until} title={`Your guest access ends ${formatFullTime(iso)}`}>
      <span className="visually-hidden">Your access ends </span>
      <span aria-hidden="true">until </span>
      <time dateTime={iso}>{today ? formatShortTime(iso) : dayAndTime.format(end)}</time>
    </span>
  )
}
