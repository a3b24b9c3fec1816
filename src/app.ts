import { bodyLimit } from 'hono/body-limit'
import { etag } from 'hono/etag'
import { requestId } from 'hono/request-id'
import { timing } from 'hono/timing'
import { MAX_BODY_BYTES, serveOpenApiDocument } from './app/openapi-document'
import { mountRouters } from './app/routers'
import { apiCors, securityHeaders } from './app/security-headers'
import { getConfig } from './config'
import { ListBooksQuerySchema } from './features/books/books.schemas'
import { docsRouter } from './features/docs'
import { handleError, handleNotFound, routeMethodIndex } from './http/errors'
import { ApiError } from './http/problem'
import { createRouter } from './http/router'
import { edgeCache, isEdgeCacheable } from './middleware/cache'
import { database } from './middleware/database'
import { requireJsonBody } from './middleware/json-body'
import { requestLogger } from './middleware/logger'
import { limitPerIp, rateLimit } from './middleware/rate-limit'
import { refuseForbiddenText } from './middleware/text-input'
import { xmlNegotiation } from './middleware/xml'

export { API_VERSION, MAX_BODY_BYTES } from './app/openapi-document'

/** Public catalog reads served from the edge cache, with the query parameters that can change each answer. */
const CACHEABLE_ROUTES = [
  { pattern: /^\/v1\/books$/, query: Object.keys(ListBooksQuerySchema.shape) },
  { pattern: /^\/v1\/books\/[^/]+$/, query: [] },
]

export type AppOptions = { benchMode?: boolean }

export function createApp(options: AppOptions = {}) {
  const app = createRouter()

  // Order matters: ids and logs wrap everything; config before anything that reads it; XML conversion sits
  // inside the ETag so the tag matches the bytes sent.
  app.use(requestId({ headerName: 'X-Request-Id' }))
  app.use(requestLogger())
  app.use(timing({ total: true, enabled: true, crossOrigin: false }))
  app.use(async (c, next) => {
    c.set('config', getConfig(c.env))
    await next()
  })
  app.use('*', apiCors())
  app.use(securityHeaders())
  // Rate limits first (a throttled request costs no cache or database work), except public catalog reads, which
  // the edge cache counts only when they miss (a hit costs no origin work). The database session opens before the
  // edge cache, which reads the catalog version through it; the cache sits inside the ETag (recomputed, so
  // If-None-Match works on hits) and outside the XML conversion (stored bytes are the final representation).
  app.use('/v1/*', rateLimit({ deferred: (c) => isEdgeCacheable(c, CACHEABLE_ROUTES) }))
  app.use('/v1/*', database())
  app.use('/health', database())
  app.use('/_dev/*', database())
  app.use(etag())
  app.use('/v1/*', edgeCache({ routes: CACHEABLE_ROUTES, beforeOrigin: limitPerIp }))
  app.use(xmlNegotiation())
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError(413, {
          title: 'Request body too large',
          detail: `Bodies are limited to ${MAX_BODY_BYTES} bytes`,
        })
      },
    }),
  )
  app.use('/v1/*', requireJsonBody())
  // Text XML 1.0 forbids or lone surrogates: refused in every query, path and JSON body field. Not on Stripe's
  // webhook, whose payload is Stripe's (a refusal would only make it redeliver) and is never echoed as XML.
  app.use('/v1/*', refuseForbiddenText({ except: ['/v1/webhooks/stripe'] }))

  // The runtime's ceiling for `npm run bench`: no database, cache or validation. Exists only in bench mode.
  if (options.benchMode) app.get('/_bench/static', (c) => c.text('ok'))
  const routes = mountRouters(app)
  serveOpenApiDocument(app)
  app.route('/', docsRouter)

  const allowedMethods = routeMethodIndex(app.routes)
  app.notFound((c) => handleNotFound(c, allowedMethods))
  app.onError(handleError)
  return routes
}

export type AppType = ReturnType<typeof createApp>
