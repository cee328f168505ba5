import { useSession } from '../auth/useSession.js'
import styles from './Lobby.module.css'
import { CreateRoomForm } from './CreateRoomForm.js'
import { GuestNote } from './GuestNote.js'
import { JoinRoomForm } from './JoinRoomForm.js'
import { PublicRooms } from './PublicRooms.js'
import { RoomList } from './RoomList.js'

/** A guest's lobby has its one room and no way to create, join or browse others (the backend refuses them). */
export function LobbyPage() {
  const guest = useSession()?.user.guest === true
  return (
    <div className={styles.page}>
      <title>Your rooms · Scalable Chat</title>
      <h1 className={styles.heading}>Rooms</h1>
      {guest ? (
        <GuestNote />
      ) : (
        <div className={styles.actions}>
          <CreateRoomForm />
          <JoinRoomForm />
        </div>
      )}
      <RoomList />
      {!guest && <PublicRooms />}
    </div>
  )
}
