import { bodyLimit } from 'hono/body-limit'
import { RETAINED_304_HEADERS } from 'hono/etag'
import { requestId } from 'hono/request-id'
import { timing } from 'hono/timing'
import { MAX_BODY_BYTES, serveOpenApiDocument } from './app/openapi-document'
import { mountRouters } from './app/routers'
import { apiCors, securityHeaders } from './app/security-headers'
import { getConfig } from './config'
import { docsRouter } from './features/docs'
import { livePublishing } from './features/live'
import { paymentGateway } from './features/payments'
import { handleError, handleNotFound, routeMethodIndex } from './http/errors'
import { ApiError } from './http/problem'
import { createRouter } from './http/router'
import { forgetCatalogVersionOnWrite } from './middleware/catalog-version'
import { BOOKMARK_HEADER, database } from './middleware/database'
import { etagForStorable } from './middleware/etag'
import { requireJsonBody } from './middleware/json-body'
import { requestLogger } from './middleware/logger'
import { limitPerIp } from './middleware/rate-limit'
import { refuseForbiddenText } from './middleware/text-input'
import { xmlNegotiation } from './middleware/xml'

export { API_VERSION, MAX_BODY_BYTES } from './app/openapi-document'

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
  // Who may call a route, its rate limit and its edge caching are the route's own policy (src/http/policy.ts), in
  // its middleware, after everything here: the database session opens lazily (a throttled request runs no query)
  // and the edge cache reads the catalog version through it; the ETag is outside the cache (recomputed, so
  // If-None-Match works on hits); the cache negotiates XML before storing (stored bytes are the final
  // representation), so this XML conversion passes its answers through.
  app.use('/v1/*', database())
  app.use('/v1/*', paymentGateway())
  // Live events a request's writes put in the outbox are delivered after its response (features/live).
  app.use('/v1/*', livePublishing())
  app.use('/health', database())
  app.use('/_dev/*', database())
  // A 304 keeps what RFC 9110 §15.4.5 requires (RETAINED_304_HEADERS) plus the request id, the cache status and the
  // bookmark, which every answer carries (a client correlates a 304 with its log line like any other answer).
  // Only answers a cache may keep are tagged (src/middleware/etag.ts).
  const tagged = etagForStorable({
    retainedHeaders: [...RETAINED_304_HEADERS, 'x-request-id', 'cache-status', BOOKMARK_HEADER],
  })
  // An event stream (features/live) never ends, so it has no digest: it passes untagged.
  app.use((c, next) =>
    c.req.header('Accept')?.includes('text/event-stream') && c.req.path.startsWith('/v1/live/')
      ? next()
      : tagged(c, next),
  )
  app.use('/v1/*', forgetCatalogVersionOnWrite())
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
  // No route, so no policy: an unknown /v1 URL is still counted per IP, like any public request.
  app.notFound(async (c) => {
    if (c.req.path.startsWith('/v1/')) await limitPerIp(c)
    return handleNotFound(c, allowedMethods)
  })
  app.onError(handleError)
  return routes
}

export type AppType = ReturnType<typeof createApp>
