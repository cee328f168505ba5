import { useEffect } from 'react'
import { noteRead } from '../components/knownReads.js'
import type { ChatConnection } from './connection/ChatConnection.js'

/**
 * Marks the room read up to its newest message while the user can actually see it: the list is at
 * its bottom (`atBottom`), the page is visible and the window focused. Checked again whenever one
 * of them may have changed (a new message, a scroll to the bottom, the window coming back to the
 * front). `ChatConnection.markRead` throttles what goes out; leaving the page sends what waits.
 */
export function useMarkRead(connection: ChatConnection | null, latestSeq: number | undefined, atBottom: boolean): void {
  useEffect(() => {
    if (!connection || latestSeq === undefined || !atBottom) return
    const mark = () => {
      if (document.visibilityState !== 'visible' || !document.hasFocus()) return
      const you = connection.getState().you
      if (connection.markRead(latestSeq) && you) noteRead(you.userId, connection.roomId, latestSeq)
    }
    // A reload or a closed tab unmounts nothing: what waits for the throttle goes now or never.
    const leaving = () => connection.flushRead()
    mark()
    window.addEventListener('focus', mark)
    document.addEventListener('visibilitychange', mark)
    window.addEventListener('pagehide', leaving)
    return () => {
      window.removeEventListener('focus', mark)
      document.removeEventListener('visibilitychange', mark)
      window.removeEventListener('pagehide', leaving)
    }
  }, [connection, latestSeq, atBottom])
}
