import type { MiddlewareHandler } from 'hono'
import { setMetric } from 'hono/timing'
import { createDb } from '../db/client'
import type { AppEnv } from '../env'

export const BOOKMARK_HEADER = 'X-D1-Bookmark'

/**
 * Opens the request's database session and sets `c.var.db`.
 * D1 Sessions API: the client's `X-D1-Bookmark` (from its last response) makes this request see at least that
 * state, so a client reads its own writes even when served by a read replica; the response carries the new one.
 */
export function database(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const handle = createDb(c.env, { bookmark: c.req.header(BOOKMARK_HEADER) })
    c.set('db', handle.db)
    c.set('dbStats', handle.stats)
    await next()
    const bookmark = handle.bookmark()
    if (bookmark) c.header(BOOKMARK_HEADER, bookmark)
    if (handle.stats.queries > 0)
      setMetric(c, 'db', handle.stats.durationMs, `${handle.stats.queries} queries`)
  }
}
