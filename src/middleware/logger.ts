import type { MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import type { AppEnv } from '../env'

/** The route pattern that answered (`/v1/books/:id`), never the raw URL: ids and queries stay out of logs. */
function routePattern(c: Parameters<MiddlewareHandler<AppEnv>>[0]): string {
  const handler = matchedRoutes(c).findLast((route) => route.method !== 'ALL')
  return handler?.path ?? 'unmatched'
}

/**
 * One structured JSON line per request. Deliberately excludes headers, bodies and query strings, so passwords,
 * tokens and personal data never reach the logs (OWASP ASVS 7.1.1).
 */
export function requestLogger(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const start = performance.now()
    await next()
    const stats = c.get('dbStats')
    const line = {
      level: c.res.status >= 500 ? 'error' : 'info',
      msg: 'request',
      requestId: c.get('requestId'),
      method: c.req.method,
      route: routePattern(c),
      status: c.res.status,
      durationMs: Math.round((performance.now() - start) * 100) / 100,
      dbMs: stats ? Math.round(stats.durationMs * 100) / 100 : 0,
      dbQueries: stats?.queries ?? 0,
      cache: c.res.headers.get('Cache-Status') ?? undefined,
      userId: c.get('user')?.id,
    }
    console.log(JSON.stringify(line))
  }
}
