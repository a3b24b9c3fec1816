import { bodyLimit } from 'hono/body-limit'
import { etag, RETAINED_304_HEADERS } from 'hono/etag'
import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import { timing } from 'hono/timing'
import { getConfig } from './config'
import { addressesRouter } from './features/addresses'
import { auditRouter } from './features/audit'
import { authRouter, jwksRouter } from './features/auth'
import { booksRouter } from './features/books'
import { cartRouter } from './features/cart'
import { DOCS_CONTENT_SECURITY_POLICY, docsRouter } from './features/docs'
import { healthRouter } from './features/health'
import { devMailRouter } from './features/mail'
import { ordersRouter } from './features/orders'
import { paymentGateway } from './features/payments'
import { usersRouter } from './features/users'
import { asContract } from './http/contract'
import { handleError, handleNotFound, routeMethodIndex } from './http/errors'
import { ApiError } from './http/problem'
import { createRouter } from './http/router'
import { forgetCatalogVersionOnWrite } from './middleware/catalog-version'
import { credentialedCors } from './middleware/cors'
import { BOOKMARK_HEADER, database } from './middleware/database'
import { requireJsonBody } from './middleware/json-body'
import { requestLogger } from './middleware/logger'
import { limitPerIp } from './middleware/rate-limit'
import { refuseForbiddenText } from './middleware/text-input'
import { xmlNegotiation } from './middleware/xml'

/** Largest accepted request body. Documented in the README and the OpenAPI description. */
export const MAX_BODY_BYTES = 64 * 1024

export const API_VERSION = '1.0.0'

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
  app.use(
    '*',
    // Credentialed for CORS_ORIGINS only, so a storefront can send the refresh cookie (`credentials: 'include'`).
    // Allowed headers: every request header the README tells clients to send.
    credentialedCors({
      isAllowed: (origin, c) => getConfig(c.env).CORS_ORIGINS.includes(origin),
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
    }),
  )
  app.use(async (c, next) => {
    // The docs page runs the API reference's script from the Worker's own assets; every other response gets the
    // strict API policy.
    const isDocs = c.req.path === '/docs'
    return secureHeaders({
      contentSecurityPolicy: isDocs
        ? DOCS_CONTENT_SECURITY_POLICY
        : { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      strictTransportSecurity: 'max-age=63072000; includeSubDomains',
      crossOriginResourcePolicy: 'cross-origin',
    })(c, next)
  })
  // Who may call a route, its rate limit and its edge caching are the route's own policy (src/http/policy.ts), in
  // its middleware, after everything here: the database session opens lazily (a throttled request runs no query)
  // and the edge cache reads the catalog version through it; the ETag is outside the cache (recomputed, so
  // If-None-Match works on hits); the cache negotiates XML before storing (stored bytes are the final
  // representation), so this XML conversion passes its answers through.
  app.use('/v1/*', database())
  app.use('/v1/*', paymentGateway())
  app.use('/health', database())
  app.use('/_dev/*', database())
  // A 304 keeps what RFC 9110 §15.4.5 requires (RETAINED_304_HEADERS) plus the request id, the cache status and the
  // bookmark, which every answer carries (a client correlates a 304 with its log line like any other answer).
  app.use(
    etag({ retainedHeaders: [...RETAINED_304_HEADERS, 'x-request-id', 'cache-status', BOOKMARK_HEADER] }),
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
  const routes = app
    .route('/', healthRouter)
    .route('/', jwksRouter)
    .route('/', devMailRouter)
    .route('/v1', booksRouter)
    .route('/v1', authRouter)
    .route('/v1', usersRouter)
    .route('/v1', cartRouter)
    .route('/v1', addressesRouter)
    .route('/v1', ordersRouter)
    .route('/v1', auditRouter)

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'An ES256 access token from POST /v1/auth/login. Locally: `npm run token -- --email <account>`.',
  })
  app.get('/openapi.json', (c) =>
    c.json(
      asContract(
        app.getOpenAPI31Document({
          openapi: '3.1.0',
          info: {
            title: 'Folio API',
            version: API_VERSION,
            description:
              'The bookstore API. JSON by default; send `Accept: application/xml` for XML (arrays as `<item>` ' +
              'elements, resources under `<response>`, errors as RFC 9457 `<problem>`). Every error is RFC 9457 ' +
              `problem details. Request bodies are JSON, at most ${MAX_BODY_BYTES} bytes.`,
          },
          servers: [{ url: c.var.config.PUBLIC_API_URL }],
        }),
      ),
    ),
  )
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
