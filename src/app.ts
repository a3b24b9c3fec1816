import { Scalar } from '@scalar/hono-api-reference'
import { bodyLimit } from 'hono/body-limit'
import { cors } from 'hono/cors'
import { etag } from 'hono/etag'
import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import { timing } from 'hono/timing'
import { getConfig } from './config'
import { addressesRouter } from './features/addresses'
import { auditRouter } from './features/audit'
import { authRouter, jwksRouter } from './features/auth'
import { booksRouter } from './features/books'
import { cartRouter } from './features/cart'
import { healthRouter } from './features/health'
import { devMailRouter } from './features/mail'
import { ordersRouter } from './features/orders'
import { paymentsRouter } from './features/payments'
import { usersRouter } from './features/users'
import { handleError, handleNotFound, routeMethodIndex } from './http/errors'
import { ApiError } from './http/problem'
import { createRouter } from './http/router'
import { withXmlVariants } from './http/schemas'
import { BOOKMARK_HEADER, database } from './middleware/database'
import { requireJsonBody } from './middleware/json-body'
import { requestLogger } from './middleware/logger'
import { xmlNegotiation } from './middleware/xml'

/** Largest accepted request body. Documented in the README and the OpenAPI description. */
export const MAX_BODY_BYTES = 64 * 1024

export const API_VERSION = '1.0.0'

export function createApp() {
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
    cors({
      origin: (origin, c) => (getConfig(c.env).CORS_ORIGINS.includes(origin) ? origin : null),
      allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id', BOOKMARK_HEADER],
      exposeHeaders: [
        'Link',
        'ETag',
        'Location',
        'Retry-After',
        'X-Request-Id',
        BOOKMARK_HEADER,
        'Server-Timing',
      ],
      maxAge: 600,
    }),
  )
  app.use(async (c, next) => {
    // The docs page loads Scalar from its CDN; every other response gets the strict API policy.
    const isDocs = c.req.path === '/docs'
    return secureHeaders({
      contentSecurityPolicy: isDocs
        ? {
            defaultSrc: ["'self'"],
            scriptSrc: ["'self'", "'unsafe-inline'", 'https://cdn.jsdelivr.net'],
            styleSrc: [
              "'self'",
              "'unsafe-inline'",
              'https://cdn.jsdelivr.net',
              'https://fonts.googleapis.com',
            ],
            fontSrc: ["'self'", 'https://fonts.gstatic.com', 'https://cdn.jsdelivr.net'],
            imgSrc: ["'self'", 'data:'],
            connectSrc: ["'self'"],
          }
        : { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      strictTransportSecurity: 'max-age=63072000; includeSubDomains',
      crossOriginResourcePolicy: 'cross-origin',
    })(c, next)
  })
  app.use(etag())
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
  app.use('/v1/*', database())
  app.use('/health', database())
  app.use('/_dev/*', database())

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
    .route('/v1', paymentsRouter)
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
      withXmlVariants(
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
          servers: [{ url: new URL(c.req.url).origin }],
        }),
      ),
    ),
  )
  app.get('/docs', Scalar({ url: '/openapi.json', pageTitle: 'Folio API reference' }))

  const allowedMethods = routeMethodIndex(app.routes)
  app.notFound((c) => handleNotFound(c, allowedMethods))
  app.onError(handleError)
  return routes
}

export type AppType = ReturnType<typeof createApp>
