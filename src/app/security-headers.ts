import type { MiddlewareHandler } from 'hono'
import { secureHeaders } from 'hono/secure-headers'
import { getConfig } from '../config'
import type { AppEnv } from '../env'
import { DOCS_CONTENT_SECURITY_POLICY } from '../features/docs'
import { prefersXml } from '../http/negotiate'
import { credentialedCors } from '../middleware/cors'
import { BOOKMARK_HEADER } from '../middleware/database'

/**
 * CORS (Fetch standard): credentialed for CORS_ORIGINS only, so a storefront can send the refresh cookie
 * (`credentials: 'include'`). Allowed headers: every request header the README tells clients to send.
 */
export function apiCors(): MiddlewareHandler<AppEnv> {
  return credentialedCors({
    isAllowed: (origin, c) => (c.get('config') ?? getConfig(c.env)).CORS_ORIGINS.includes(origin),
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: [
      'Authorization',
      'Content-Type',
      'Accept',
      'Cache-Control',
      'If-None-Match',
      'Idempotency-Key',
      'X-Request-Id',
      BOOKMARK_HEADER,
    ],
    exposeHeaders: [
      'Link',
      'ETag',
      'Location',
      'Retry-After',
      'X-Request-Id',
      BOOKMARK_HEADER,
      'Server-Timing',
      'Cache-Status',
      'RateLimit',
      'RateLimit-Policy',
    ],
    maxAge: 600,
  })
}

/**
 * Hono's secure headers (OWASP Secure Headers Project; HSTS per RFC 6797). The docs page is HTML that runs the API
 * reference's script from the Worker's own assets: it gets Hono's whole set with its own policy. So does an answer
 * negotiated as XML, which a browser that navigates to the URL renders as a document. A JSON answer, which no
 * browser renders as a document, gets the set the OWASP REST Security Cheat Sheet ("Security Headers") lists for
 * APIs: a `default-src 'none'; frame-ancestors 'none'` policy, HSTS, `nosniff`,
 * `X-Frame-Options: DENY`, plus `Referrer-Policy` and the storefront's `Cross-Origin-Resource-Policy`. The rest of
 * Hono's defaults only act on documents (COOP, COEP, Origin-Agent-Cluster, DNS prefetching, IE's download and XSS
 * filters, Flash's cross-domain policy files), and each costs a header write per answer (`npm run profile:workerd`).
 * Folio never sets `X-Powered-By`, so there is nothing to remove.
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  // Built once: each instance precomputes its header list, so a request only copies it onto the response.
  const common = {
    strictTransportSecurity: 'max-age=63072000; includeSubDomains',
    crossOriginResourcePolicy: 'cross-origin',
  }
  const apiPolicy = { defaultSrc: ["'none'"], frameAncestors: ["'none'"] }
  const docs = secureHeaders({ ...common, contentSecurityPolicy: DOCS_CONTENT_SECURITY_POLICY })
  // A browser navigating to an API URL sends `Accept: text/html,application/xhtml+xml,application/xml;q=0.9`, which
  // negotiates XML: a document it renders. Such an answer gets the whole set, with the API's policy.
  const document = secureHeaders({ ...common, contentSecurityPolicy: apiPolicy, xFrameOptions: 'DENY' })
  const api = secureHeaders({
    ...common,
    contentSecurityPolicy: apiPolicy,
    xFrameOptions: 'DENY',
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
    removePoweredBy: false,
  })
  return (c, next) => (c.req.path === '/docs' ? docs : prefersXml(c) ? document : api)(c, next)
}
