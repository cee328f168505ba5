/** Which part of the board the screen shows: board point (x, y) at the top left, `zoom` screen pixels per board unit. */
export interface Viewport {
  x: number
  y: number
  zoom: number
}

export const MIN_ZOOM = 0.1
export const MAX_ZOOM = 8

export const HOME: Viewport = { x: 0, y: 0, zoom: 1 }

/** `viewport` zoomed to `zoom`, keeping the board point under screen point `at` where it is. */
export function zoomAround(viewport: Viewport, at: { x: number; y: number }, zoom: number): Viewport {
  const next = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom))
  return { x: viewport.x + at.x / viewport.zoom - at.x / next, y: viewport.y + at.y / viewport.zoom - at.y / next, zoom: next }
}
