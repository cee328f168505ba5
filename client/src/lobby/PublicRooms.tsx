import type { PublicRoom } from '@scalable-chat/backend-contract'
import { DIRECTORY_PAGE_RULE } from '@scalable-chat/backend-contract/rules'
import { useEffect, useRef, useState } from 'react'
import { api } from '../api/api.js'
import { isApiError } from '../api/ApiError.js'
import styles from './Lobby.module.css'
import { RoomLink } from './RoomLink.js'

/** A search waits for this pause in typing, so that a word is one request and not one per letter. */
const SEARCH_DELAY_MS = 300

type Directory =
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'ready'; rooms: PublicRoom[]; nextCursor: string | null; loadingMore: boolean }

/** "Public rooms": the directory, searched by name and description, a page at a time. */
export function PublicRooms() {
  const [query, setQuery] = useState('')
  const [directory, setDirectory] = useState<Directory>({ state: 'loading' })
  const [attempt, setAttempt] = useState(0)
  // Bumped by every new search: a page that answers an older one is dropped.
  const search = useRef(0)

  useEffect(() => {
    let cancelled = false
    const current = ++search.current
    const timer = setTimeout(
      () => {
        setDirectory({ state: 'loading' })
        api.publicRooms(query.trim()).then(
          (page) => !cancelled && current === search.current && setDirectory({ state: 'ready', rooms: page.rooms, nextCursor: page.nextCursor, loadingMore: false }),
          (error: unknown) =>
            !cancelled && current === search.current && setDirectory({ state: 'error', message: isApiError(error) ? error.message : 'Could not load public rooms.' }),
        )
      },
      attempt === 0 && query === '' ? 0 : SEARCH_DELAY_MS,
    )
    return () => {
      cancelled = true
      clearTimeout(timer)
    }
  }, [query, attempt])

  async function loadMore() {
    if (directory.state !== 'ready' || !directory.nextCursor || directory.loadingMore) return
    const current = search.current
    setDirectory({ ...directory, loadingMore: true })
    try {
      const page = await api.publicRooms(query.trim(), directory.nextCursor)
      if (current !== search.current) return
      setDirectory((shown) => (shown.state === 'ready' ? { state: 'ready', rooms: [...shown.rooms, ...page.rooms], nextCursor: page.nextCursor, loadingMore: false } : shown))
    } catch (error) {
      if (current !== search.current) return
      setDirectory({ state: 'error', message: isApiError(error) ? error.message : 'Could not load more public rooms.' })
    }
  }

  return (
    <section className={styles.listSection} aria-labelledby="public-rooms">
      <div className={styles.sectionHead}>
        <h2 id="public-rooms" className={styles.sectionTitle}>
          Public rooms
        </h2>
        <input
          type="search"
          className={`input ${styles.search}`}
          aria-label="Search public rooms"
          placeholder="Search by name or description"
          maxLength={DIRECTORY_PAGE_RULE.maxQueryLength}
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
      </div>
      {directory.state === 'loading' && (
        <p className={styles.muted} role="status">
          Looking for public rooms…
        </p>
      )}
      {directory.state === 'error' && (
        <div className={styles.errorBox} role="alert">
          <span>{directory.message}</span>
          <button type="button" className="btn btn-small" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        </div>
      )}
      {directory.state === 'ready' && directory.rooms.length === 0 && (
        <p className={styles.empty}>{query.trim() ? `No public room matches “${query.trim()}”.` : 'No public rooms yet. Make yours public when you create it.'}</p>
      )}
      {directory.state === 'ready' && directory.rooms.length > 0 && (
        <>
          <ul className={styles.list} aria-label="Public rooms">
            {directory.rooms.map((room) => (
              <li key={room.roomId}>
                <RoomLink roomId={room.roomId} name={room.name} lastActivityAt={room.lastActivityAt}>
                  {room.description && <span className={styles.roomDescription}>{room.description}</span>}
                  <span className={styles.roomMeta}>{peopleText(room)}</span>
                </RoomLink>
              </li>
            ))}
          </ul>
          {directory.nextCursor && (
            <button type="button" className={`btn ${styles.more}`} disabled={directory.loadingMore} onClick={loadMore}>
              {directory.loadingMore ? 'Loading…' : 'More public rooms'}
            </button>
          )}
        </>
      )}
    </section>
  )
}

/** "12 members · 3 online", by ana. */
function peopleText(room: PublicRoom): string {
  const members = `${room.memberCount} ${room.memberCount === 1 ? 'member' : 'members'}`
  const online = room.online === null ? '' : ` · ${room.online} online`
  return `${members}${online} · by ${room.owner.username}`
}
