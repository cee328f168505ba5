import { Link } from 'react-router'
import { CenteredMessage } from '../components/CenteredMessage.js'
import type { ClosedReason } from './connection/connectionStatus.js'

/** `reload`: the page offers to load the room again (its button's label, `Reload` by default). */
const COPY: Record<ClosedReason, { title: string; text: string; reload?: boolean; reloadLabel?: string }> = {
  deleted: { title: 'This room was deleted', text: 'Its owner deleted it, with all its messages.' },
  left: {
    title: 'You left this room',
    text: 'It is no longer in your rooms (you left it here or on another device). Its link still lets you join again.',
    reload: true,
    reloadLabel: 'Join again',
  },
  not_found: { title: 'Room not found', text: 'Check the link, or ask whoever shared it for a new one.' },
  forbidden: { title: 'You cannot open this room', text: 'Your account does not have access to it.' },
  protocol_mismatch: {
    title: 'Please reload: the app was updated',
    text: 'The chat server speaks a newer version than this page.',
    reload: true,
  },
  room_full: { title: 'This room is full', text: 'It has as many people as it can hold. Try again later.' },
  too_many_connections: {
    title: 'Open in too many tabs',
    text: 'Your account has as many connections to this chat server as it may. Close the tabs or windows you do not need, then reload.',
    reload: true,
  },
  policy_violation: {
    title: 'You were disconnected',
    text: 'The connection broke a limit (too many messages at once, for example). Reload to join again.',
    reload: true,
  },
  signed_out: { title: 'You were signed out', text: 'Sign in again to continue.' },
}

/** The final states of a room screen: no reconnecting, a clear way back to the lobby. */
export function ClosedRoom({ reason }: { reason: ClosedReason }) {
  const copy = COPY[reason]
  return (
    <CenteredMessage
      title={copy.title}
      actions={
        <>
          {copy.reload && (
            <button type="button" className="btn btn-primary" onClick={() => window.location.reload()}>
              {copy.reloadLabel ?? 'Reload'}
            </button>
          )}
          <Link className={copy.reload ? 'btn' : 'btn btn-primary'} to="/">
            Back to your rooms
          </Link>
        </>
      }
    >
      <p>{copy.text}</p>
    </CenteredMessage>
  )
}
