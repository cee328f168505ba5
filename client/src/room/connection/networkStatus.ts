/** Whether the device believes it is online, and when that changes; injected for tests. */
export interface NetworkStatus {
  isOnline(): boolean
  subscribe(onChange: () => void): () => void
}

/** `navigator.onLine` and the window's `online`/`offline` events; always online outside a browser. */
export const browserNetworkStatus: NetworkStatus = {
  isOnline: () => typeof navigator === 'undefined' || navigator.onLine !== false,
  subscribe(onChange) {
    if (typeof window === 'undefined') return () => {}
    window.addEventListener('online', onChange)
    window.addEventListener('offline', onChange)
    return () => {
      window.removeEventListener('online', onChange)
      window.removeEventListener('offline', onChange)
    }
  },
}
