import styles from './Lobby.module.css'
import { CreateRoomForm } from './CreateRoomForm.js'
import { JoinRoomForm } from './JoinRoomForm.js'
import { PublicRooms } from './PublicRooms.js'
import { RoomList } from './RoomList.js'

export function LobbyPage() {
  return (
    <div className={styles.page}>
      <title>Your rooms · Scalable Chat</title>
      <h1 className={styles.heading}>Rooms</h1>
      <div className={styles.actions}>
        <CreateRoomForm />
        <JoinRoomForm />
      </div>
      <RoomList />
      <PublicRooms />
    </div>
  )
}
