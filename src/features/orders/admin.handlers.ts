import { setNextLink } from '../../http/pagination'
import type { AppRouteHandler } from '../../http/router'
import { paymentProviderFor } from '../payments'
import * as routes from './admin.routes'
import * as admin from './admin.service'
import { loadOrder } from './order-views'
import { refundOrder as refund } from './refunds.service'

export const listOrders: AppRouteHandler<typeof routes.listOrders> = async (c) => {
  const page = await admin.listAllOrders(c.var.db, c.req.valid('query'))
  setNextLink(c, page.nextCursor, routes.listOrders.request.query)
  return c.json(page, 200)
}

export const shipOrder: AppRouteHandler<typeof routes.shipOrder> = async (c) =>
  c.json(await admin.shipOrder(c.var.db, c.req.valid('param').id, c.var.user), 200)

export const deliverOrder: AppRouteHandler<typeof routes.deliverOrder> = async (c) =>
  c.json(await admin.deliverOrder(c.var.db, c.req.valid('param').id, c.var.user), 200)

export const refundOrder: AppRouteHandler<typeof routes.refundOrder> = async (c) => {
  const body = c.req.valid('json') ?? {}
  const aggregate = await loadOrder(c.var.db, c.req.valid('param').id)
  const result = await refund(c.var.db, paymentProviderFor(c.var.config), {
    aggregate,
    amount: body.amount,
    reason: body.reason,
    actor: c.var.user,
  })
  return c.json(result, 201)
}
