import { useEffect, useState, useSyncExternalStore } from 'react'
import { api } from '../api/api.js'
import { ChatConnection, type ChatState } from './connection/ChatConnection.js'
import { initialChatState } from './connection/chatReducer.js'

/**
 * One ChatConnection per mounted room screen: created and started in an effect, disposed on
 * leave (StrictMode's double effect just opens and closes one extra connection in development).
 * Before the effect has run, the state is the initial one (connecting, nothing known yet).
 */
export function useChatConnection(roomId: string): { connection: ChatConnection | null; state: ChatState } {
  const [connection, setConnection] = useState<ChatConnection | null>(null)
  useEffect(() => {
    const created = new ChatConnection({ roomId, api })
    setConnection(created)
    created.start()
    return () => {
      created.dispose()
      setConnection(null)
    }
  }, [roomId])
  const state = useSyncExternalStore(connection?.subscribe ?? subscribeNothing, connection?.getState ?? getInitial)
  return { connection, state }
}

const subscribeNothing = () => () => {}
/** One object, so that React sees the same snapshot on every read. */
const INITIAL = initialChatState()
const getInitial = () => INITIAL
