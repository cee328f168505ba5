/**
 * This user's writes waiting for their acknowledgement, as the frames that (re-)send them: the
 * outbox sends by clientId and asks here what to send.
 */
import type { LogWrite } from '@scalable-chat/protocol'
import type { ChatState, PendingChange } from './chatReducer.js'

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** A change as an action asks for it, before it gets its clientId and time. */
export type NewChange = DistributiveOmit<PendingChange, 'clientId' | 'createdAt'>

/** The frame that writes a pending change. */
export function frameOf(change: PendingChange): LogWrite {
  const { clientId, target } = change
  switch (change.kind) {
    case 'edit':
      return { type: 'edit', clientId, target, text: change.text }
    case 'delete':
      return { type: 'delete', clientId, target }
    case 'react':
      return { type: 'react', clientId, target, emoji: change.emoji, on: change.on }
    default:
      return change satisfies never
  }
}

/** The frame of this user's write with this clientId while it waits for its acknowledgement. */
export function pendingFrame(state: ChatState, clientId: string): LogWrite | undefined {
  const message = state.pending.find((p) => p.clientId === clientId && p.state === 'sending')
  if (message) return { type: 'send', clientId, text: message.text }
  const change = state.pendingChanges.find((p) => p.clientId === clientId)
  return change && frameOf(change)
}
