import type { AppRouteHandler } from '../../http/router'
import { authenticatedBatch } from '../auth'
import type * as routes from './cart.routes'
import * as service from './cart.service'

/** One round trip: the session check and the cart lines in one batch. */
export const getCart: AppRouteHandler<typeof routes.getCart> = async (c) => {
  const [lines] = await authenticatedBatch(c, [service.cartLines(c.var.db, c.var.user.id)])
  return c.json(service.toCart(lines), 200)
}

export const putCartItem: AppRouteHandler<typeof routes.putCartItem> = async (c) => {
  const { bookId } = c.req.valid('param')
  return c.json(await service.setCartItem(c.var.db, c.var.user.id, bookId, c.req.valid('json').quantity), 200)
}

export const deleteCartItem: AppRouteHandler<typeof routes.deleteCartItem> = async (c) =>
  c.json(await service.removeCartItem(c.var.db, c.var.user.id, c.req.valid('param').bookId), 200)
