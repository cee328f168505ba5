import type { ChatMessage } from '@scalable-chat/backend-contract'
import { applyChange } from '@scalable-chat/backend-contract/changes'
import { useLayoutEffect, useMemo, useRef, useState } from 'react'
import { formatFullTime, formatShortTime } from '../components/formatTime.js'
import { GuestBadge } from '../components/GuestBadge.js'
import type { PendingChange, PendingMessage } from './connection/chatReducer.js'
import { describeRefusal } from './describeRefusal.js'
import { EditMessageForm } from './EditMessageForm.js'
import { GROUP_GAP_MS, groupMessages } from './groupMessages.js'
import styles from './MessageList.module.css'
import { mentions } from './mentions.js'
import { MessageActions } from './MessageActions.js'
import { MessageText } from './MessageText.js'
import { Reactions } from './Reactions.js'

/** Within this distance of the bottom the list counts as "at the bottom" and follows new messages. */
const STICK_TO_BOTTOM_PX = 48
/** Older history starts loading this close to the top. */
const LOAD_OLDER_PX = 120

interface DisplayMessage {
  key: string
  userId: string
  username: string
  text: string
  createdAt: string
  pending?: PendingMessage
  /** A stored message, as shown: this user's changes not acknowledged yet applied. */
  stored?: ChatMessage
  /** One of this user's changes of it is on its way. */
  saving?: boolean
}

/** What can be done to stored messages (the connection's actions, by seq). */
export interface MessageActionHandlers {
  onEdit: (seq: number, text: string) => void
  onDelete: (seq: number) => void
  onReact: (seq: number, emoji: string, on: boolean) => void
}

export function MessageList({
  messages,
  pending,
  pendingChanges,
  you,
  guestIds,
  connecting,
  history,
  maxMessageLength,
  nameOf,
  actions,
  unreadAfter,
  onLoadOlder,
  onRetry,
  onDiscard,
  onAtBottomChange,
}: {
  messages: ChatMessage[]
  pending: PendingMessage[]
  pendingChanges: PendingChange[]
  maxMessageLength: number
  /** A member's name by id, for who reacted. */
  nameOf: (userId: string) => string | undefined
  actions: MessageActionHandlers
  you: { userId: string; username: string } | null
  /** Authors to mark as guests (the room's members and offline members who are). */
  guestIds?: ReadonlySet<string>
  connecting: boolean
  history: { hasMore: boolean; loading: boolean; error: string | null }
  /** "New messages" goes before the first message by someone else after this seq. */
  unreadAfter: number | null
  onLoadOlder: () => void
  onRetry: (clientId: string) => void
  onDiscard: (clientId: string) => void
  /** Whether the newest message is in view: the room is read only then. */
  onAtBottomChange: (atBottom: boolean) => void
}) {
  const scroller = useRef<HTMLDivElement>(null)
  const divider = useRef<HTMLLIElement>(null)
  /** Set when the list itself scrolled to "New messages": that scroll must not load older history. */
  const positioned = useRef(false)
  const atBottom = useRef(true)
  const setAtBottom = (value: boolean) => {
    if (atBottom.current === value) return
    atBottom.current = value
    onAtBottomChange(value)
  }
  const previous = useRef<{ firstKey?: string; lastKey?: string; height: number }>({ height: 0 })
  const [unseen, setUnseen] = useState(0)
  const [editing, setEditing] = useState<number | null>(null)

  const items = useMemo<DisplayMessage[]>(() => {
    const stored = messages.map((original) => {
      const { message, saving } = withPending(original, pendingChanges, you)
      return { key: `s${message.seq}`, userId: message.userId, username: message.username, text: message.text, createdAt: message.createdAt, stored: message, saving }
    })
    const mine = pending.map((p) => ({
      key: `p${p.clientId}`,
      userId: you?.userId ?? '',
      username: you?.username ?? '',
      text: p.text,
      createdAt: p.createdAt,
      pending: p,
    }))
    return [...stored, ...mine]
  }, [messages, pending, pendingChanges, you])
  const firstUnread = unreadAfter === null ? undefined : messages.find((m) => m.seq > unreadAfter && m.userId !== you?.userId)
  const dividerKey = firstUnread && `s${firstUnread.seq}`
  const groups = useMemo(() => groupMessages(items, GROUP_GAP_MS, (m) => m.key === dividerKey), [items, dividerKey])

  // Runs after the DOM changed and before the browser paints: the place to keep the view steady.
  useLayoutEffect(() => {
    const element = scroller.current
    if (!element) return
    const firstKey = items[0]?.key
    const lastKey = items.at(-1)?.key
    const before = previous.current
    if (before.firstKey !== undefined && firstKey !== before.firstKey && lastKey === before.lastKey) {
      // Older history was prepended: keep what the reader was looking at in place.
      element.scrollTop += element.scrollHeight - before.height
    } else if (lastKey !== before.lastKey) {
      const last = items.at(-1)
      const ownNew = last?.pending !== undefined
      if (before.lastKey === undefined) {
        // The room opens at its newest message, or at "New messages" when that would be out of view.
        element.scrollTop = element.scrollHeight
        const above = divider.current ? divider.current.getBoundingClientRect().top - element.getBoundingClientRect().top : 0
        if (above < 0) {
          element.scrollTop += above - 8
          positioned.current = true
        }
        setAtBottom(isAtBottom(element))
      } else if (atBottom.current || ownNew) {
        element.scrollTop = element.scrollHeight
        setAtBottom(true)
      } else {
        setUnseen((count) => count + 1)
      }
    }
    previous.current = { firstKey, lastKey, height: element.scrollHeight }
  }, [items])

  function onScroll() {
    const element = scroller.current
    if (!element) return
    setAtBottom(isAtBottom(element))
    if (atBottom.current && unseen > 0) setUnseen(0)
    const ours = positioned.current
    positioned.current = false
    if (!ours && element.scrollTop < LOAD_OLDER_PX && history.hasMore && !history.loading && !history.error) onLoadOlder()
    previous.current.height = element.scrollHeight
  }

  function jumpToLatest() {
    const element = scroller.current
    if (!element) return
    element.scrollTo({ top: element.scrollHeight, behavior: 'smooth' })
    setUnseen(0)
  }

  return (
    <div className={styles.wrap}>
      <div ref={scroller} className={styles.scroller} onScroll={onScroll} tabIndex={0} aria-label="Messages" role="region">
        <div className={styles.top}>
          {history.loading && <p className={styles.muted}>Loading earlier messages…</p>}
          {!history.loading && history.error && (
            <p className={styles.muted}>
              {history.error}{' '}
              <button type="button" className="btn btn-small" onClick={onLoadOlder}>
                Try again
              </button>
            </p>
          )}
          {!history.loading && !history.error && history.hasMore && (
            <button type="button" className="btn btn-small btn-ghost" onClick={onLoadOlder}>
              Load earlier messages
            </button>
          )}
          {!history.hasMore && !connecting && items.length > 0 && (
            <p className={styles.beginning}>This is the beginning of the conversation.</p>
          )}
        </div>

        {connecting && items.length === 0 && <p className={styles.placeholder}>Connecting to the room…</p>}
        {!connecting && items.length === 0 && (
          <p className={styles.placeholder}>No messages yet. Say hello!</p>
        )}

        <ol className={styles.groups}>
          {groups.map((group) => {
            const own = group.userId === you?.userId
            const unreadStart = group.messages[0]?.key === dividerKey
            return [
              unreadStart && (
                <li key="unread" ref={divider} className={styles.unreadDivider}>
                  <span>New messages</span>
                </li>
              ),
              <li key={group.key} className={own ? `${styles.group} ${styles.own}` : styles.group}>
                <div className={styles.groupHead}>
                  <span className={styles.author}>
                    {own ? 'You' : group.username}
                    {guestIds?.has(group.userId) && <GuestBadge />}
                  </span>
                  <time className={styles.time} dateTime={group.startedAt} title={formatFullTime(group.startedAt)}>
                    {formatShortTime(group.startedAt)}
                  </time>
                </div>
                <ul className={styles.messages}>
                  {group.messages.map((message, index) => (
                    <MessageRow
                      key={message.key}
                      message={message}
                      own={own}
                      you={you}
                      editing={message.stored !== undefined && editing === message.stored.seq}
                      onEditing={(on) => setEditing(on && message.stored ? message.stored.seq : null)}
                      maxMessageLength={maxMessageLength}
                      nameOf={nameOf}
                      actions={actions}
                      showTime={index > 0}
                      onRetry={onRetry}
                      onDiscard={onDiscard}
                    />
                  ))}
                </ul>
              </li>,
            ]
          })}
        </ol>
      </div>
      {unseen > 0 && (
        <button type="button" className={`btn btn-primary btn-small ${styles.newMessages}`} onClick={jumpToLatest}>
          {unseen === 1 ? 'New message' : `${unseen} new messages`} ↓
        </button>
      )}
    </div>
  )
}

function isAtBottom(element: HTMLElement): boolean {
  return element.scrollHeight - element.scrollTop - element.clientHeight < STICK_TO_BOTTOM_PX
}

function MessageRow({
  message,
  own,
  you,
  editing,
  onEditing,
  maxMessageLength,
  nameOf,
  actions,
  showTime,
  onRetry,
  onDiscard,
}: {
  message: DisplayMessage
  own: boolean
  you: { userId: string; username: string } | null
  editing: boolean
  onEditing: (on: boolean) => void
  maxMessageLength: number
  nameOf: (userId: string) => string | undefined
  actions: MessageActionHandlers
  showTime: boolean
  onRetry: (clientId: string) => void
  onDiscard: (clientId: string) => void
}) {
  const { pending, stored } = message
  const ownUsername = you?.username
  const className = [
    styles.message,
    pending && (pending.state === 'failed' ? styles.failed : styles.sending),
    message.saving && styles.sending,
    stored?.deleted && styles.deleted,
  ]
  // Someone else's message naming this user (one's own mention of oneself is no news).
  const mentioned = !pending && !stored?.deleted && message.username !== ownUsername && mentions(message.text, ownUsername)
  if (mentioned) className.push(styles.mentioned)
  const reacted = new Set(stored?.reactions?.filter((r) => you && r.userIds.includes(you.userId)).map((r) => r.emoji))
  return (
    <li className={className.filter(Boolean).join(' ')}>
      {editing && stored ? (
        <EditMessageForm
          text={stored.text}
          maxLength={maxMessageLength}
          onSave={(text) => {
            actions.onEdit(stored.seq, text)
            onEditing(false)
          }}
          onCancel={() => onEditing(false)}
        />
      ) : (
        <div className={styles.bubbleWrap}>
          <div className={styles.bubble}>
            {mentioned && <span className="visually-hidden">Mentions you: </span>}
            {stored?.deleted ? <span className={styles.deletedText}>Message deleted</span> : <MessageText text={message.text} ownUsername={ownUsername} />}
            {stored?.editedAt !== undefined && (
              <span className={styles.edited} title={`Edited ${formatFullTime(stored.editedAt)}`}>
                {' '}
                (edited)
              </span>
            )}
          </div>
          {stored && !stored.deleted && (
            <MessageActions
              own={own}
              reacted={reacted}
              onReact={(emoji, on) => actions.onReact(stored.seq, emoji, on)}
              onEdit={() => onEditing(true)}
              onDelete={() => actions.onDelete(stored.seq)}
            />
          )}
        </div>
      )}
      {showTime && !pending && (
        <time className={styles.rowTime} dateTime={message.createdAt} title={formatFullTime(message.createdAt)}>
          {formatShortTime(message.createdAt)}
        </time>
      )}
      {stored?.reactions && !stored.deleted && (
        <Reactions reactions={stored.reactions} youId={you?.userId} nameOf={nameOf} onToggle={(emoji, on) => actions.onReact(stored.seq, emoji, on)} />
      )}
      {message.saving && <span className={styles.state}>Saving…</span>}
      {pending?.state === 'sending' && <span className={styles.state}>Sending…</span>}
      {pending?.state === 'failed' && (
        <span className={styles.state} role="alert">
          Not sent{pending.error ? `: ${describeRefusal(pending.error)}` : ''}.{' '}
          <button type="button" className={styles.linkButton} onClick={() => onRetry(pending.clientId)}>
            Retry
          </button>{' '}
          <button type="button" className={styles.linkButton} onClick={() => onDiscard(pending.clientId)}>
            Discard
          </button>
        </span>
      )}
    </li>
  )
}

/** A stored message with this user's unacknowledged changes applied, and whether there were any. */
function withPending(message: ChatMessage, pending: readonly PendingChange[], you: { userId: string; username: string } | null): { message: ChatMessage; saving: boolean } {
  let shown = message
  let saving = false
  for (const change of pending) {
    if (change.target !== message.seq || !you) continue
    // A reaction shows at once and needs no "Saving…"; an edit or a deletion says it is on its way.
    if (change.kind !== 'react') saving = true
    shown = applyChange(shown, { ...change, seq: 0, id: change.clientId, userId: you.userId, username: you.username })
  }
  return { message: shown, saving }
}
