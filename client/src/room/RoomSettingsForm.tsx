import type { RoomVisibility } from '@scalable-chat/backend-contract'
import { ROOM_DESCRIPTION_RULE } from '@scalable-chat/backend-contract/rules'
import { useEffect, useId, useState, type FormEvent } from 'react'
import { api } from '../api/api.js'
import { isApiError } from '../api/ApiError.js'
import type { RoomSettings } from './connection/chatReducer.js'
import styles from './RoomSettingsForm.module.css'

/** The owner's settings, in the members panel: whether the room is in the public directory, and its description. */
export function RoomSettingsForm({ roomId, settings, onSaved }: { roomId: string; settings: RoomSettings; onSaved: (settings: RoomSettings) => void }) {
  const id = useId()
  const [visibility, setVisibility] = useState<RoomVisibility>(settings.visibility)
  const [description, setDescription] = useState(settings.description)
  const [state, setState] = useState<{ kind: 'idle' | 'saving' | 'saved' } | { kind: 'error'; message: string }>({ kind: 'idle' })
  // The settings the server holds changed (saved here, or from another tab): the form shows them.
  // By value: a reconnect brings an equal object, which must not wipe what is being typed.
  useEffect(() => {
    setVisibility(settings.visibility)
    setDescription(settings.description)
  }, [settings.visibility, settings.description])

  const changed = visibility !== settings.visibility || description.trim() !== settings.description
  async function submit(event: FormEvent) {
    event.preventDefault()
    if (!changed) return
    setState({ kind: 'saving' })
    try {
      const saved = await api.updateRoom(roomId, { visibility, description })
      onSaved({ visibility: saved.visibility, description: saved.description })
      setState({ kind: 'saved' })
    } catch (error) {
      setState({ kind: 'error', message: isApiError(error) ? error.message : 'Could not save. Try again.' })
    }
  }

  return (
    <form className={styles.settings} onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`} className={styles.settingsTitle}>
        Room settings
      </h3>
      <label className={styles.settingsCheck}>
        <input type="checkbox" checked={visibility === 'public'} onChange={(e) => setVisibility(e.target.checked ? 'public' : 'unlisted')} />
        Listed in public rooms
      </label>
      <div className="field">
        <label htmlFor={`${id}-description`}>Description</label>
        <input
          id={`${id}-description`}
          className="input"
          value={description}
          maxLength={ROOM_DESCRIPTION_RULE.maxLength}
          placeholder="What the room is about"
          onChange={(e) => setDescription(e.target.value)}
        />
      </div>
      <div className={styles.settingsActions}>
        <button type="submit" className="btn btn-small" disabled={!changed || state.kind === 'saving'}>
          {state.kind === 'saving' ? 'Saving…' : 'Save'}
        </button>
        <span role="status" className={state.kind === 'error' ? styles.settingsError : styles.settingsNote}>
          {state.kind === 'saved' && !changed ? 'Saved' : state.kind === 'error' ? state.message : ''}
        </span>
      </div>
    </form>
  )
}
