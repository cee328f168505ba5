import type { Reaction } from '@scalable-chat/backend-contract'
import styles from './Reactions.module.css'

/**
 * A message's reactions as toggles: each emoji with how many used it, pressed when this user is
 * one of them (pressing takes it back); the names are in the tooltip and the accessible name.
 */
export function Reactions({
  reactions,
  youId,
  nameOf,
  onToggle,
}: {
  reactions: readonly Reaction[]
  youId: string | undefined
  nameOf: (userId: string) => string | undefined
  onToggle: (emoji: string, on: boolean) => void
}) {
  return (
    <ul className={styles.reactions} aria-label="Reactions">
      {reactions.map(({ emoji, userIds }) => {
        const mine = youId !== undefined && userIds.includes(youId)
        const names = userIds.map((id) => (id === youId ? 'you' : (nameOf(id) ?? 'someone'))).join(', ')
        return (
          <li key={emoji}>
            <button
              type="button"
              className={styles.chip}
              aria-pressed={mine}
              aria-label={`${emoji} ${userIds.length}: ${names}`}
              title={names}
              onClick={() => onToggle(emoji, !mine)}
            >
              <span aria-hidden="true">{emoji}</span>
              <span className={styles.count} aria-hidden="true">
                {userIds.length}
              </span>
            </button>
          </li>
        )
      })}
    </ul>
  )
}
