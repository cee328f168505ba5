import { useId, useState, type FormEvent } from 'react'
import { useNavigate } from 'react-router'
import { api } from '../api/api.js'
import { isApiError } from '../api/ApiError.js'
import styles from './Lobby.module.css'

const MAX_ROOM_NAME = 64

export function CreateRoomForm() {
  const navigate = useNavigate()
  const [name, setName] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [creating, setCreating] = useState(false)
  const id = useId()

  async function submit(event: FormEvent) {
    event.preventDefault()
    if (!name.trim()) {
      setError('Give the room a name.')
      return
    }
    setCreating(true)
    setError(null)
    try {
      const { roomId } = await api.createRoom(name.trim())
      navigate(`/rooms/${roomId}`)
    } catch (caught) {
      setError(isApiError(caught) ? roomNameError(caught.message) : 'Could not create the room. Try again.')
      setCreating(false)
    }
  }

  return (
    <form className={styles.card} onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className={styles.cardTitle}>
        Create a room
      </h2>
      <div className="field">
        <label htmlFor={`${id}-name`}>Room name</label>
        <div className={styles.inline}>
          <input
            id={`${id}-name`}
            className="input"
            value={name}
            maxLength={MAX_ROOM_NAME}
            placeholder="Weekend plans"
            onChange={(e) => setName(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : undefined}
          />
          <button type="submit" className="btn btn-primary" disabled={creating}>
            {creating ? 'Creating…' : 'Create'}
          </button>
        </div>
        {error && (
          <p id={`${id}-error`} className="field-error" role="alert">
            {error}
          </p>
        )}
      </div>
    </form>
  )
}

function roomNameError(message: string): string {
  const text = message.replace(/^name: /, 'The name ')
  return text.charAt(0).toUpperCase() + text.slice(1)
}
