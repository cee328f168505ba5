import { Link } from 'react-router'
import { CenteredMessage } from './CenteredMessage.js'

/**
 * Shown when a screen fails to render or its code fails to load. After a deployment the old
 * lazy chunks are gone, so the usual cure is a reload.
 */
export function RouteError({ error }: { error: unknown }) {
  const chunkFailed = error instanceof TypeError && /dynamically imported module|import/i.test(error.message)
  return (
    <CenteredMessage
      title={chunkFailed ? 'Please reload: the app was updated' : 'Something went wrong'}
      actions={
        <>
          <button type="button" className="btn btn-primary" onClick={() => window.location.reload()}>
            Reload
          </button>
          <Link className="btn" to="/">
            Go to your rooms
          </Link>
        </>
      }
    >
      <p>{chunkFailed ? 'A newer version is available.' : 'This screen hit an unexpected error.'}</p>
    </CenteredMessage>
  )
}
