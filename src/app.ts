import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { except } from 'hono/combine'
import { RETAINED_304_HEADERS } from 'hono/etag'
import { requestId } from 'hono/request-id'
import { timing } from 'hono/timing'
import { serveAsyncApiDocument } from './app/asyncapi-document'
import { MAX_BODY_BYTES, serveOpenApiDocument } from './app/openapi-document'
import { mountRouters } from './app/routers'
import { apiCors, securityHeaders } from './app/security-headers'
import { getConfig } from './config'
import type { AppEnv } from './env'
import { MAX_COVER_BYTES } from './features/covers'
import { docsRouter } from './features/docs'
import { MAX_IMPORT_BYTES } from './features/imports'
import { livePublishing } from './features/live'
import { paymentGateway } from './features/payments'
import { handleError, handleNotFound, routeMethodIndex } from './http/errors'
import { ApiError } from './http/problem'
import { createRouter } from './http/router'
import { forgetCatalogVersionOnWrite } from './middleware/catalog-version'
import { BOOKMARK_HEADER, database } from './middleware/database'
import { etagForStorable } from './middleware/etag'
import { BODY_METHODS, requireJsonBody } from './middleware/json-body'
import { requestLogger } from './middleware/logger'
import { limitPerIp } from './middleware/rate-limit'
import { refuseForbiddenText } from './middleware/text-input'
import { xmlNegotiation } from './middleware/xml'

export { API_VERSION, MAX_BODY_BYTES } from './app/openapi-document'

export type AppOptions = {
  benchMode?: boolean
  /**
   * Bench mode only (`npm run profile:middleware`): global middleware left out by name, to measure what each
   * costs in workerd. Never set outside bench mode.
   */
  skipMiddleware?: readonly GlobalMiddleware[]
}

/**
 * The global middleware that bench mode can leave out, by name, in the order they wrap every request. The config
 * (`c.var.config`, read by every route) always runs.
 */
export const GLOBAL_MIDDLEWARE = [
  'request-id',
  'logger',
  'timing',
  'cors',
  'secure-headers',
  'etag',
  'xml',
] as const
export type GlobalMiddleware = (typeof GLOBAL_MIDDLEWARE)[number]

/** Routes whose bodies are raw files, not JSON (a cover image, a catalogue file), with their size caps. */
const RAW_UPLOADS = { '/v1/books/:id/cover': MAX_COVER_BYTES, '/v1/admin/imports': MAX_IMPORT_BYTES }

export function createApp(options: AppOptions = {}) {
  const app = createRouter()
  const skipped = new Set(options.benchMode ? options.skipMiddleware : [])
  const global = (name: GlobalMiddleware, handler: MiddlewareHandler<AppEnv>) => {
    if (!skipped.has(name)) app.use(handler)
  }

  // Order matters: ids and logs wrap everything; config before anything that reads it; XML conversion sits
  // inside the ETag so the tag matches the bytes sent.
  global('request-id', requestId({ headerName: 'X-Request-Id' }))
  global('logger', requestLogger())
  global('timing', timing({ total: true, enabled: true, crossOrigin: false }))
  app.use(async (c, next) => {
    c.set('config', getConfig(c.env))
    await next()
  })
  global('cors', apiCors())
  global('secure-headers', securityHeaders())
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
  global('etag', (c, next) =>
    c.req.header('Accept')?.includes('text/event-stream') && c.req.path.startsWith('/v1/live/')
      ? next()
      : tagged(c, next),
  )
  app.use('/v1/*', forgetCatalogVersionOnWrite())
  global('xml', xmlNegotiation())
  const tooLarge = (maxSize: number) => () => {
    throw new ApiError(413, {
      title: 'Request body too large',
      detail: `Bodies are limited to ${maxSize} bytes`,
    })
  }
  // Uploads (a cover image, a catalogue file) are raw files, not JSON: their routes check type and size while
  // streaming (src/http/raw-body.ts); the same cap here bounds anything a middleware reads before them.
  // Only a method with a body has one to check: a GET or HEAD passes without the combinator's per-request work.
  const jsonBodies = except(
    Object.keys(RAW_UPLOADS),
    bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge(MAX_BODY_BYTES) }),
    requireJsonBody(),
  )
  app.use('/v1/*', (c, next) => (BODY_METHODS.has(c.req.method) ? jsonBodies(c, next) : next()))
  for (const [path, maxSize] of Object.entries(RAW_UPLOADS))
    app.use(path, bodyLimit({ maxSize, onError: tooLarge(maxSize) }))
  // Text XML 1.0 forbids or lone surrogates: refused in every query, path and JSON body field. Not on Stripe's
  // webhook, whose payload is Stripe's (a refusal would only make it redeliver) and is never echoed as XML.
  app.use('/v1/*', refuseForbiddenText({ except: ['/v1/webhooks/stripe'] }))

  // The runtime's ceiling for `npm run bench`: no database, cache or validation. Exists only in bench mode.
  if (options.benchMode) app.get('/_bench/static', (c) => c.text('ok'))
  const routes = mountRouters(app)
  serveAsyncApiDocument(app)
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
