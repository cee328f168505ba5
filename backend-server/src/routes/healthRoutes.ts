import { Router } from 'express'
import { sendError } from '../http/errorHandler.js'
import type { Database } from '../storage/Database.js'
import { pendingMigrations } from '../storage/migrate.js'

/**
 * `/healthz`: liveness, deliberately cheap and database-free — an orchestrator restarts a process
 * that fails it, and restarting every replica because the database blinked would make it worse.
 * `/readyz`: readiness — the database answers and every migration this code knows is applied;
 * a load balancer sends traffic only to replicas that pass it.
 */
export function healthRoutes(db: Database): Router {
  const router = Router()
  router.get('/healthz', (_req, res) => {
    res.json({ ok: true })
  })
  router.get('/readyz', async (req, res) => {
    let pending: string[]
    try {
      pending = await pendingMigrations(db)
    } catch (error) {
      req.log.warn({ err: error }, 'readiness: database unavailable')
      return sendError(res, 503, 'database_unavailable', 'the database does not answer')
    }
    if (pending.length > 0) {
      return sendError(res, 503, 'migrations_pending', `migrations not applied: ${pending.join(', ')}`)
    }
    res.json({ ok: true })
  })
  return router
}
