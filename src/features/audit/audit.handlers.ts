import { setNextLink } from '../../http/pagination'
import type { AppRouteHandler } from '../../http/router'
import * as routes from './audit.routes'
import * as service from './audit.service'

export const listAudit: AppRouteHandler<typeof routes.listAudit> = async (c) => {
  const page = await service.listAudit(c.var.db, c.req.valid('query'))
  setNextLink(c, page.nextCursor, routes.listAudit.request.query)
  return c.json(page, 200)
}
