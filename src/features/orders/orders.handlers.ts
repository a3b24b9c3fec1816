import { requestFingerprint, withIdempotency } from '../../http/idempotency'
import { setNextLink } from '../../http/pagination'
import type { AppRouteHandler } from '../../http/router'
import { checkout } from './checkout.service'
import { changeOrderAddress as changeAddress } from './order-actions.service'
import { cancelOrder as cancel } from './order-lifecycle'
import * as routes from './orders.routes'
import type { Order } from './orders.schemas'
import * as service from './orders.service'

export const createOrder: AppRouteHandler<typeof routes.createOrder> = async (c) => {
  const user = c.var.user
  const body = c.req.valid('json')
  const key = c.req.valid('header')['idempotency-key']
  const result = await withIdempotency<Order>(
    c.var.db,
    {
      userId: user.id,
      key,
      fingerprint: await requestFingerprint('POST', '/v1/orders', body),
    },
    async () => ({
      status: 201,
      body: await checkout(c.var.db, c.var.gateway, user.id, body, key),
    }),
  )
  if (result.replayed) c.header('Idempotent-Replayed', 'true')
  c.header('Location', `/v1/orders/${result.body.id}`)
  return c.json(result.body, 201)
}

export const listMyOrders: AppRouteHandler<typeof routes.listMyOrders> = async (c) => {
  const page = await service.listMyOrders(c.var.db, c.var.user.id, c.req.valid('query'))
  setNextLink(c, page.nextCursor, routes.listMyOrders.request.query)
  return c.json(page, 200)
}

export const getOrder: AppRouteHandler<typeof routes.getOrder> = async (c) =>
  c.json(await service.getOrder(c.var.db, c.req.valid('param').id, c.var.user), 200)

export const changeOrderAddress: AppRouteHandler<typeof routes.changeOrderAddress> = async (c) =>
  c.json(await changeAddress(c.var.db, c.req.valid('param').id, c.var.user, c.req.valid('json')), 200)

export const cancelOrder: AppRouteHandler<typeof routes.cancelOrder> = async (c) =>
  c.json(await cancel(c.var.db, c.var.gateway, c.req.valid('param').id, c.var.user), 200)
