import { Router } from 'express'
import { bearerToken } from '../auth/requireUser.js'
import { secretMatcher } from '@scalable-chat/backend-contract/internal'
import { HttpError } from '../http/HttpError.js'
import type { BackendMetrics } from '../metrics/BackendMetrics.js'

/**
 * `GET /metrics` in Prometheus text format, only with `Authorization: Bearer <METRICS_TOKEN>`.
 * A bearer token rather than a separate port: the backend is deployed behind one load balancer
 * port (ECS, compose), and Prometheus sends bearer tokens natively (`authorization` in a scrape
 * config). Without `METRICS_TOKEN` the route does not exist (404): metrics reveal traffic and
 * room counts, so they are never public by default.
 */
export function metricsRoutes(metrics: BackendMetrics, metricsToken: string | undefined): Router {
  const router = Router()
  if (metricsToken === undefined) return router
  const isMetricsToken = secretMatcher(metricsToken)
  router.get('/metrics', async (req, res) => {
    if (!isMetricsToken(bearerToken(req))) {
      throw HttpError.unauthorized('missing or invalid metrics token')
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics())
  })
  return router
}
