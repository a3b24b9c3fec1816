import { setNextLink } from '../../http/pagination'
import type { AppRouteHandler } from '../../http/router'
import * as routes from './admin.routes'
import * as admin from './admin.service'
import { fulfilOrder, refundOrder as refund } from './order-lifecycle'
import { listRefunds as refundsPage, retryRefund as retry } from './refunds.service'

export const listOrders: AppRouteHandler<typeof routes.listOrders> = async (c) => {
  const page = await admin.listAllOrders(c.var.db, c.req.valid('query'))
  setNextLink(c, page.nextCursor, routes.listOrders.request.query)
  return c.json(page, 200)
}

export const shipOrder: AppRouteHandler<typeof routes.shipOrder> = async (c) =>
  c.json(await fulfilOrder(c.var.db, c.req.valid('param').id, 'ship', c.var.user), 200)

export const deliverOrder: AppRouteHandler<typeof routes.deliverOrder> = async (c) =>
  c.json(await fulfilOrder(c.var.db, c.req.valid('param').id, 'deliver', c.var.user), 200)

export const refundOrder: AppRouteHandler<typeof routes.refundOrder> = async (c) => {
  const body = c.req.valid('json') ?? {}
  const result = await refund(c.var.db, c.var.gateway, {
    orderId: c.req.valid('param').id,
    amount: body.amount,
    reason: body.reason,
    actor: c.var.user,
  })
  return c.json(result, 201)
}

export const listRefunds: AppRouteHandler<typeof routes.listRefunds> = async (c) => {
  const page = await refundsPage(c.var.db, c.req.valid('query'))
  setNextLink(c, page.nextCursor, routes.listRefunds.request.query)
  return c.json(page, 200)
}

export const retryRefund: AppRouteHandler<typeof routes.retryRefund> = async (c) =>
  c.json(await retry(c.var.db, c.var.gateway, c.req.valid('param').id, c.var.user!), 200)
