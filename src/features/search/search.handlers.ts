import { setNextLink } from '../../http/pagination'
import type { AppRouteHandler } from '../../http/router'
import * as routes from './search.routes'
import { listSearchMisses as listMisses } from './search-misses.service'
import { suggest as suggestions } from './suggest.service'

const PUBLIC_CACHE = 'public, max-age=30, stale-while-revalidate=60'

export const suggest: AppRouteHandler<typeof routes.suggest> = async (c) => {
  const answer = await suggestions(c.var.db, c.req.valid('query'))
  c.header('Cache-Control', PUBLIC_CACHE)
  return c.json(answer, 200)
}

export const listSearchMisses: AppRouteHandler<typeof routes.listSearchMisses> = async (c) => {
  const page = await listMisses(c.var.db, c.req.valid('query'))
  setNextLink(c, page.nextCursor, routes.listSearchMisses.request.query)
  return c.json(page, 200)
}
