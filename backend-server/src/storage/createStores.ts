import { BoardStore } from './BoardStore.js'
import type { Queryable } from './Database.js'
import { FleetStore } from './FleetStore.js'
import { MessageStore } from './MessageStore.js'
import { PlacementStore } from './PlacementStore.js'
import { RoomStore } from './RoomStore.js'
import { UserStore } from './UserStore.js'

/** Every store of the backend, built once by `createApp` and handed to whoever needs one. */
export interface Stores {
  users: UserStore
  rooms: RoomStore
  messages: MessageStore
  boards: BoardStore
  /** The Scheduler's alone: every placement read and write goes through it. */
  placements: PlacementStore
  fleet: FleetStore
}

export function createStores(db: Queryable): Stores {
  return {
    users: new UserStore(db),
    rooms: new RoomStore(db),
    messages: new MessageStore(db),
    boards: new BoardStore(db),
    placements: new PlacementStore(db),
    fleet: new FleetStore(db),
  }
}
