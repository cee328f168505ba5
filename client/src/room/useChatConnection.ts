import { useEffect, useState, useSyncExternalStore } from 'react'
import { api } from '../api/api.js'
import { ChatConnection, type ChatState } from './ChatConnection.js'

/**
 * One ChatConnection per mounted room screen: created and started in an effect, disposed on
 * leave (StrictMode's double effect just opens and closes one extra connection in development).
 */
export function useChatConnection(roomId: string): { connection: ChatConnection | null; state: ChatState | null } {
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
  const state = useSyncExternalStore(connection?.subscribe ?? subscribeNothing, connection?.getState ?? getNull)
  return { connection, state }
}

const subscribeNothing = () => () => {}
const getNull = () => null
