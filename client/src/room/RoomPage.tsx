import { lazy, Suspense, useEffect, useMemo, useState } from 'react'
import { useNavigate, useParams, useSearchParams } from 'react-router'
import { ApiError } from '../api/ApiError.js'
import { api } from '../api/api.js'
import { signOut } from '../auth/sessionStore.js'
import { ClosedRoom } from './ClosedRoom.js'
import { Composer } from './Composer.js'
import { ConnectionBanner } from './ConnectionBanner.js'
import { DeleteRoomDialog } from './DeleteRoomDialog.js'
import { MembersPanel } from './MembersPanel.js'
import { RoomSettingsForm } from './RoomSettingsForm.js'
import { MessageList } from './MessageList.js'
import { RoomHeader } from './RoomHeader.js'
import styles from './Room.module.css'
import { describeRefusal } from './describeRefusal.js'
import { typingText } from './typingText.js'
import { useChatConnection } from './useChatConnection.js'
import { useMarkRead } from './useMarkRead.js'
import { usePresence } from './usePresence.js'
import { useTypingNotifier } from './useTypingNotifier.js'

// The board's code loads when someone opens it: the chat's first load stays within its budget.
const BoardPanel = lazy(() => import('./board/BoardPanel.js'))

/** `/rooms/:roomId`: the chat. All the socket work happens in ChatConnection; this only renders it. */
export function RoomPage() {
  const { roomId = '' } = useParams()
  const navigate = useNavigate()
  const { connection, state } = useChatConnection(roomId)
  const presence = usePresence(connection)
  const typing = useTypingNotifier(connection, state.limits.typingTimeoutMs)
  // Messages carry no guest mark: an author is marked while the room lists them as a guest.
  const guestIds = useMemo(
    () => new Set([...state.members, ...state.offline].filter((member) => member.guest).map((member) => member.userId)),
    [state.members, state.offline],
  )
  const names = useMemo(() => {
    const byId = new Map<string, string>()
    for (const m of state.messages) byId.set(m.userId, m.username)
    for (const m of [...state.offline, ...state.members]) byId.set(m.userId, m.username)
    return byId
  }, [state.messages, state.members, state.offline])
  const nameOf = (userId: string) => names.get(userId)
  const messageActions = useMemo(
    () => ({
      onEdit: (seq: number, text: string) => void connection?.edit(seq, text),
      onDelete: (seq: number) => void connection?.deleteMessage(seq),
      onReact: (seq: number, emoji: string, on: boolean) => void connection?.react(seq, emoji, on),
    }),
    [connection],
  )
  const [atBottom, setAtBottom] = useState(true)
  useMarkRead(connection, state.messages.at(-1)?.seq, atBottom)
  const [membersOpen, setMembersOpen] = useState(false)
  const [confirmDelete, setConfirmDelete] = useState(false)
  const [actionError, setActionError] = useState<string | null>(null)
  // In the address, so that a reload or a shared link opens the board again.
  const [search, setSearch] = useSearchParams()
  const boardOpen = search.has('board')

  const closedReason = state.status.kind === 'closed' ? state.status.reason : null
  useEffect(() => {
    // The backend refused our token: the session is over; RequireAuth takes the user to sign in
    // and brings them back here.
    if (closedReason === 'signed_out') signOut()
  }, [closedReason])

  if (closedReason) return <ClosedRoom reason={closedReason} />

  const roomName = state.room?.name ?? ''
  const you = state.you
  const isOwner = !!you && state.room?.ownerId === you.userId
  const announcement = state.lastIncoming ? `${state.lastIncoming.username}: ${state.lastIncoming.text}` : ''

  return (
    <div className={styles.page}>
      <title>{roomName ? `${roomName} · Scalable Chat` : 'Scalable Chat'}</title>
      <section className={styles.chat} aria-label="Chat">
        <RoomHeader
          name={roomName || 'Connecting…'}
          memberCount={state.members.length}
          isOwner={isOwner}
          membersOpen={membersOpen}
          boardOpen={boardOpen}
          onToggleMembers={() => setMembersOpen((open) => !open)}
          onToggleBoard={() => setSearch(boardOpen ? {} : { board: '' }, { replace: true })}
          onLeave={async () => {
            try {
              await api.leaveRoom(roomId)
              navigate('/', { replace: true })
            } catch (error) {
              if (!(error instanceof ApiError)) setActionError('Could not leave the room. Try again.')
              // `last_member` says why (alone, or only guests would remain) and to delete the room instead.
              else setActionError(error.code === 'last_member' ? `${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}.` : error.message)
            }
          }}
          onDelete={() => setConfirmDelete(true)}
        />
        <ConnectionBanner status={state.status} hasConnected={you !== null} onRetry={() => connection?.retryNow()} />
        <div className={boardOpen ? `${styles.body} ${styles.withBoard}` : styles.body}>
          {boardOpen && connection && (
            <Suspense fallback={<div className={styles.boardLoading} aria-busy="true" />}>
              <BoardPanel board={connection.board} members={state.members} roomName={roomName} maxFrameBytes={state.limits.maxFrameBytes} />
            </Suspense>
          )}
          <div className={styles.conversation}>
            <MessageList
              messages={state.messages}
              pending={state.pending}
              pendingChanges={state.pendingChanges}
              maxMessageLength={state.limits.maxMessageLength}
              nameOf={nameOf}
              actions={messageActions}
              you={you}
              guestIds={guestIds}
              connecting={you === null}
              history={state.history}
              unreadAfter={state.unreadAfter}
              onAtBottomChange={setAtBottom}
              onLoadOlder={() => void connection?.loadOlder()}
              onRetry={(clientId) => connection?.retry(clientId)}
              onDiscard={(clientId) => connection?.discard(clientId)}
            />
            <p className={styles.typing} aria-hidden="true">
              {typingText(state.typing)}
            </p>
            {actionError && (
              <div className={styles.notice} role="alert">
                <span>{actionError}</span>
                <button type="button" className="btn btn-small btn-ghost" onClick={() => setActionError(null)}>
                  Dismiss
                </button>
              </div>
            )}
            {state.notice && (
              <div className={styles.notice} role="alert">
                <span>{describeRefusal(state.notice)}</span>
                <button type="button" className="btn btn-small btn-ghost" onClick={() => connection?.dismissNotice()}>
                  Dismiss
                </button>
              </div>
            )}
            <Composer
              roomName={roomName || 'the room'}
              maxLength={state.limits.maxMessageLength}
              disabled={!connection}
              onSend={(text) => connection?.send(text)}
              onTyping={typing.onInput}
              onStopTyping={typing.stop}
            />
          </div>
        </div>
      </section>
      <MembersPanel
        members={state.members}
        offline={state.offline}
        youId={you?.userId ?? null}
        chosenStatus={presence.chosen}
        onChooseStatus={presence.setChosen}
        open={membersOpen}
        onClose={() => setMembersOpen(false)}
      >
        {isOwner && state.settings && (
          <RoomSettingsForm roomId={roomId} settings={state.settings} onSaved={(settings) => connection?.settingsChanged(settings)} />
        )}
      </MembersPanel>
      <div className="visually-hidden" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
      {isOwner && (
        <DeleteRoomDialog
          roomName={roomName}
          open={confirmDelete}
          onCancel={() => setConfirmDelete(false)}
          onConfirm={async () => {
            await api.deleteRoom(roomId)
            setConfirmDelete(false)
            navigate('/', { replace: true })
          }}
        />
      )}
    </div>
  )
}
