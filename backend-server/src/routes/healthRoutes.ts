import { Router } from 'express'
import type { Database } from '../storage/Database.js'

export function healthRoutes(db: Database): Router {
  const router = Router()
  // Healthy means able to serve: the database must answer too (a thrown error becomes a 500).
  router.get('/healthz', async (_req, res) => {
    await db.query('SELECT 1')
    res.json({ ok: true })
  })
  return router
}
