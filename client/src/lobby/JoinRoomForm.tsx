import { useId, useState, type FormEvent } from 'react'
import { useNavigate } from 'react-router'
import { FormField } from '../components/FormField.js'
import styles from './Lobby.module.css'
import { parseRoomLink } from './parseRoomLink.js'

export function JoinRoomForm() {
  const navigate = useNavigate()
  const [value, setValue] = useState('')
  const [error, setError] = useState<string | null>(null)
  const id = useId()

  function submit(event: FormEvent) {
    event.preventDefault()
    const roomId = parseRoomLink(value)
    if (!roomId) {
      setError('Paste a room link (…/rooms/…) or a room ID.')
      return
    }
    navigate(`/rooms/${roomId}`)
  }

  return (
    <form className={styles.card} onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className={styles.cardTitle}>
        Join a room
      </h2>
      <FormField
        id={`${id}-link`}
        label="Room link or ID"
        value={value}
        placeholder="https://…/rooms/…"
        autoCapitalize="none"
        spellCheck={false}
        onChange={(e) => {
          setValue(e.target.value)
          setError(null)
        }}
        error={error}
        announceError
        action={
          <button type="submit" className="btn">
            Join
          </button>
        }
      />
    </form>
  )
}
