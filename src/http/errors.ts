import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { ConfigError } from '../config'
import { isDatabaseUnavailable, loggableError } from '../db/errors'
import { ApiError, problemResponse } from './problem'
import { databaseUnavailable } from './unavailable'

/**
 * The one error handler: ApiError → its problem; Hono's HTTPException (malformed JSON from the validator, …) →
 * a problem of the same status; anything else → 500 with the request id and nothing internal (OWASP ASVS 7.4.1).
 */
export function handleError(error: Error, c: Context): Response {
  if (error instanceof ApiError) return problemResponse(c, error.status, error.problem)
  if (error instanceof HTTPException && error.status < 500) {
    const malformedJson = /json/i.test(error.message)
    return problemResponse(c, error.status as ContentfulStatusCode, {
      title: malformedJson ? 'Malformed JSON' : 'Bad request',
      detail: malformedJson ? 'The request body is not valid JSON' : error.message,
    })
  }
  console.error(
    JSON.stringify({
      level: 'error',
      msg: error instanceof ConfigError ? 'configuration error' : 'unhandled error',
      requestId: c.get('requestId'),
      ...loggableError(error),
    }),
  )
  // A database outage is not a bug: 503 + Retry-After (src/http/unavailable.ts), still logged above.
  if (isDatabaseUnavailable(error)) return problemResponse(c, 503, databaseUnavailable)
  return problemResponse(c, 500, {
    title: 'Internal server error',
    detail: `Something went wrong on our side. Quote request id ${c.get('requestId')} when reporting it.`,
  })
}

/**
 * 404 for unknown paths; 405 with `Allow` when the path exists under other methods (RFC 9110 §15.5.6). Hono's own
 * `methodNotAllowed` middleware was weighed and not taken: it lists `Allow` in another order (GET, HEAD, POST
 * rather than GET, POST, HEAD as today) and answers 404, not 405, on a trailing slash, which the app otherwise
 * routes like the path without it (`GET /v1/books/` is the list).
 */
export function handleNotFound(c: Context, allowedMethods: (path: string) => string[]): Response {
  const allowed = allowedMethods(new URL(c.req.url).pathname)
  if (allowed.length > 0) {
    return problemResponse(c, 405, {
      title: 'Method not allowed',
      detail: `${c.req.method} is not supported here; use ${allowed.join(', ')}`,
      headers: { Allow: allowed.join(', ') },
    })
  }
  return problemResponse(c, 404, { title: 'Not found', detail: 'No resource lives at this URL' })
}

/** Builds a path → allowed methods lookup from the app's registered routes. */
export function routeMethodIndex(routes: { method: string; path: string }[]): (path: string) => string[] {
  let patterns: { pattern: RegExp; method: string }[] | undefined
  return (path) => {
    patterns ??= routes
      .filter((route) => route.method !== 'ALL' && !route.path.includes('*'))
      .map((route) => ({
        method: route.method,
        pattern: new RegExp(`^${route.path.replace(/:[^/]+/g, '[^/]+').replace(/\/$/, '')}/?$`),
      }))
    const methods = new Set(patterns.filter((route) => route.pattern.test(path)).map((route) => route.method))
    if (methods.has('GET')) methods.add('HEAD')
    return [...methods]
  }
}
