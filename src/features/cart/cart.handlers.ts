import type { AppRouteHandler } from '../../http/router'
import { authenticatedBatch, sessionGuard } from '../auth'
import type * as routes from './cart.routes'
import * as service from './cart.service'

/** One round trip: the session check and the cart lines in one batch. */
export const getCart: AppRouteHandler<typeof routes.getCart> = async (c) => {
  const [lines] = await authenticatedBatch(c, [service.cartLines(c.var.db, c.var.user.id)])
  return c.json(service.toCart(lines), 200)
}

/**
 * One round trip: the session check, the book, the upsert (guarded by the session: a revoked one writes nothing)
 * and the cart read back, in one batch.
 */
export const putCartItem: AppRouteHandler<typeof routes.putCartItem> = async (c) => {
  const { bookId } = c.req.valid('param')
  const { quantity } = c.req.valid('json')
  const userId = c.var.user.id
  const statements = service.cartItemWrite(c.var.db, userId, bookId, quantity, sessionGuard(c))
  const results = await authenticatedBatch(c, statements)
  return c.json(await service.cartAfterWrite(c.var.db, userId, bookId, quantity, results), 200)
}

export const deleteCartItem: AppRouteHandler<typeof routes.deleteCartItem> = async (c) =>
  c.json(await service.removeCartItem(c.var.db, c.var.user.id, c.req.valid('param').bookId), 200)
