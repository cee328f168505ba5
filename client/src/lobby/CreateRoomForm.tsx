import { ROOM_DESCRIPTION_RULE, ROOM_NAME_RULE } from '@scalable-chat/backend-contract/rules'
import { useId, useState, type FormEvent } from 'react'
import { useNavigate } from 'react-router'
import { api } from '../api/api.js'
import { isApiError } from '../api/ApiError.js'
import { FormField } from '../components/FormField.js'
import styles from './Lobby.module.css'

export function CreateRoomForm() {
  const navigate = useNavigate()
  const [name, setName] = useState('')
  const [listed, setListed] = useState(false)
  const [description, setDescription] = useState('')
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
      const { roomId } = await api.createRoom(name.trim(), listed ? { visibility: 'public', description: description.trim() } : {})
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
      <FormField
        id={`${id}-name`}
        label="Room name"
        value={name}
        maxLength={ROOM_NAME_RULE.maxLength}
        placeholder="Weekend plans"
        onChange={(e) => setName(e.target.value)}
        error={error}
        announceError
        action={
          <button type="submit" className="btn btn-primary" disabled={creating}>
            {creating ? 'Creating…' : 'Create'}
          </button>
        }
      />
      <label className={styles.visibility}>
        <input type="checkbox" checked={listed} onChange={(e) => setListed(e.target.checked)} />
        List it in public rooms (anyone signed in can find and join it)
      </label>
      {listed && (
        <FormField
          id={`${id}-description`}
          label="Description (optional)"
          value={description}
          maxLength={ROOM_DESCRIPTION_RULE.maxLength}
          placeholder="What the room is about"
          onChange={(e) => setDescription(e.target.value)}
        />
      )}
    </form>
  )
}

function roomNameError(message: string): string {
  const text = message.replace(/^name: /, 'The name ')
  return text.charAt(0).toUpperCase() + text.slice(1)
}
