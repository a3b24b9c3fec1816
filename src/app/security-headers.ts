import type { MiddlewareHandler } from 'hono'
import { secureHeaders } from 'hono/secure-headers'
import { getConfig } from '../config'
import type { AppEnv } from '../env'
import { DOCS_CONTENT_SECURITY_POLICY } from '../features/docs'
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
 * Hono's secure headers (OWASP Secure Headers Project; HSTS per RFC 6797). The docs page runs the API
 * reference's script from the Worker's own assets; every other response gets the strict API policy.
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  // Built once: each instance precomputes its header list, so a request only copies it onto the response.
  const headersWith = (contentSecurityPolicy: ContentSecurityPolicy) =>
    secureHeaders({
      contentSecurityPolicy,
      strictTransportSecurity: 'max-age=63072000; includeSubDomains',
      crossOriginResourcePolicy: 'cross-origin',
    })
  const docs = headersWith(DOCS_CONTENT_SECURITY_POLICY)
  const api = headersWith({ defaultSrc: ["'none'"], frameAncestors: ["'none'"] })
  return (c, next) => (c.req.path === '/docs' ? docs(c, next) : api(c, next))
}

type ContentSecurityPolicy = NonNullable<
  NonNullable<Parameters<typeof secureHeaders>[0]>['contentSecurityPolicy']
>
