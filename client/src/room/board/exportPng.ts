/**
 * The board as a PNG: the shapes layer of the live SVG, copied into an SVG of its own that frames
 * every shape (whatever part of the board the screen shows), drawn on a canvas at twice the
 * size for sharpness, on white paper.
 */
import type { Shape } from '@scalable-chat/backend-contract'
import { boundsOf } from './geometry.js'

const MARGIN = 24
const SCALE = 2
/** Browsers refuse canvases much past this many pixels a side. */
const MAX_SIDE_PX = 8192

export async function exportPng(svg: SVGSVGElement, shapes: readonly Shape[], fileName: string): Promise<void> {
  const layer = svg.querySelector('[data-layer="shapes"]')
  if (!layer || shapes.length === 0) return
  const boxes = shapes.map((shape) => {
    const box = boundsOf(shape)
    const pad = shape.strokeWidth + 12
    return { left: box.x - pad, top: box.y - pad, right: box.x + box.width + pad, bottom: box.y + box.height + pad }
  })
  const left = Math.min(...boxes.map((b) => b.left)) - MARGIN
  const top = Math.min(...boxes.map((b) => b.top)) - MARGIN
  const width = Math.max(...boxes.map((b) => b.right)) - left + MARGIN
  const height = Math.max(...boxes.map((b) => b.bottom)) - top + MARGIN
  const scale = Math.min(SCALE, MAX_SIDE_PX / width, MAX_SIDE_PX / height)

  const markup =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width * scale}" height="${height * scale}" viewBox="${left} ${top} ${width} ${height}">` +
    `<rect x="${left}" y="${top}" width="${width}" height="${height}" fill="#ffffff"/>${layer.innerHTML}</svg>`
  const image = new Image()
  const url = URL.createObjectURL(new Blob([markup], { type: 'image/svg+xml' }))
  try {
    image.src = url
    await image.decode()
    const canvas = document.createElement('canvas')
    canvas.width = Math.ceil(width * scale)
    canvas.height = Math.ceil(height * scale)
    canvas.getContext('2d')!.drawImage(image, 0, 0, canvas.width, canvas.height)
    const png = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'))
    if (!png) throw new Error('the browser could not encode the PNG')
    download(png, fileName)
  } finally {
    URL.revokeObjectURL(url)
  }
}

function download(blob: Blob, fileName: string): void {
  const link = document.createElement('a')
  link.href = URL.createObjectURL(blob)
  link.download = fileName
  link.click()
  // Not at once: the download may still be reading it.
  setTimeout(() => URL.revokeObjectURL(link.href), 30_000)
}
