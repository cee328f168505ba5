/**
 * The app's one API client: same-origin `/api` (proxied in development), the signed-in user's
 * token, and sign-out on any 401 (an expired or revoked token).
 */
import { getSession, signOut } from '../auth/sessionStore.js'
import { createApiClient } from './createApiClient.js'

export const api = createApiClient({
  getToken: () => getSession()?.token ?? null,
  onUnauthorized: signOut,
})
