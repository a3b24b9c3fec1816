import type { AppRouteHandler } from '../../http/router'
import type * as routes from './related.routes'
import { relatedBooks as related } from './related.service'

export const relatedBooks: AppRouteHandler<typeof routes.relatedBooks> = async (c) => {
  const answer = await related(c.var.db, c.req.valid('param').id, c.req.valid('query').limit, {
    publicApiUrl: c.var.config.PUBLIC_API_URL,
  })
  c.header('Cache-Control', 'public, max-age=300, stale-while-revalidate=600')
  return c.json(answer, 200)
}
