import type { RequestHandler } from 'express'
import helmet from 'helmet'

/**
 * The response headers of a JSON API (OWASP's REST Security Cheat Sheet), set through helmet.
 * Nothing this backend sends is ever rendered as a page, so: the strictest CSP (`default-src
 * 'none'`, no framing), `nosniff`, `X-Frame-Options: DENY`, no referrer, HSTS, same-origin
 * resource policy, and `Cache-Control: no-store` (answers carry tokens and private data). Helmet's
 * headers for HTML documents (COOP, Origin-Agent-Cluster, the legacy IE and Flash ones) are left
 * out: every header is work on every response, and joins come thousands a second.
 */
export function securityHeaders(): RequestHandler {
  const headers = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    referrerPolicy: { policy: 'no-referrer' },
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xFrameOptions: { action: 'deny' },
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  })
  return (req, res, next) => {
    res.setHeader('cache-control', 'no-store')
    headers(req, res, next)
  }
}
