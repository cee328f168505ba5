import { Link } from 'react-router'
import { CenteredMessage } from './CenteredMessage.js'

export function NotFoundPage() {
  return (
    <CenteredMessage
      title="Page not found"
      actions={
        <Link className="btn btn-primary" to="/">
          Go to your rooms
        </Link>
      }
    >
      <p>There is nothing at this address.</p>
    </CenteredMessage>
  )
}
