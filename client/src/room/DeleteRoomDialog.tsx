import { useEffect, useRef, useState } from 'react'
import { isApiError } from '../api/ApiError.js'
import styles from './Room.module.css'

/**
 * A modal confirmation (native <dialog>: focus is trapped, Escape cancels) for deleting a room.
 * `onConfirm` does the DELETE; its failure is shown here and nothing else changes.
 */
export function DeleteRoomDialog({
  roomName,
  open,
  onCancel,
  onConfirm,
}: {
  roomName: string
  open: boolean
  onCancel: () => void
  onConfirm: () => Promise<void>
}) {
  const ref = useRef<HTMLDialogElement>(null)
  const [deleting, setDeleting] = useState(false)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (open && !dialog.open) {
      setError(null)
      dialog.showModal()
    } else if (!open && dialog.open) {
      dialog.close()
    }
  }, [open])

  async function confirm() {
    setDeleting(true)
    setError(null)
    try {
      await onConfirm()
    } catch (caught) {
      setError(isApiError(caught) ? caught.message : 'Could not delete the room.')
    } finally {
      setDeleting(false)
    }
  }

  return (
    <dialog
      ref={ref}
      className={styles.dialog}
      aria-labelledby="delete-room-title"
      aria-describedby="delete-room-text"
      onCancel={(event) => {
        event.preventDefault()
        if (!deleting) onCancel()
      }}
    >
      <h2 id="delete-room-title" className={styles.dialogTitle}>
        Delete “{roomName}”?
      </h2>
      <p id="delete-room-text" className={styles.dialogText}>
        Everyone in it is disconnected and all its messages are deleted. This cannot be undone.
      </p>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <div className={styles.dialogActions}>
        <button type="button" className="btn" onClick={onCancel} disabled={deleting} autoFocus>
          Cancel
        </button>
        <button type="button" className="btn btn-danger" onClick={confirm} disabled={deleting}>
          {deleting ? 'Deleting…' : 'Delete room'}
        </button>
      </div>
    </dialog>
  )
}
