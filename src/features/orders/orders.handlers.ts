import { and, eq, lt } from 'drizzle-orm'
import { orders } from '../../db/schema'
import { requestFingerprint, withIdempotency } from '../../http/idempotency'
import { bySeq, readCursor, setNextLink, toPage } from '../../http/pagination'
import type { AppRouteHandler } from '../../http/router'
import { authenticatedBatch, sessionGuard } from '../auth'
import { checkout } from './checkout.service'
import { checkoutReads } from './checkout-resume'
import { changeOrderAddress as changeAddress } from './order-actions.service'
import { cancelOrder as cancel } from './order-lifecycle'
import {
  aggregatesOf,
  orderAggregateReads,
  orderPageReads,
  toAggregate,
  toOrder,
  visibleTo,
} from './order-views'
import * as routes from './orders.routes'
import type { Order } from './orders.schemas'

export const createOrder: AppRouteHandler<typeof routes.createOrder> = async (c) => {
  const user = c.var.user
  const body = c.req.valid('json')
  const key = c.req.valid('header')['idempotency-key']
  // Three round trips: the Idempotency-Key claim with the session check (the claim guarded by the session: a
  // revoked one claims nothing and gets the 401) and the checkout's first reads; the checkout batch, which reads
  // the order back; the intent update with the stored answer.
  const result = await withIdempotency(
    c.var.db,
    {
      userId: user.id,
      key,
      fingerprint: await requestFingerprint('POST', '/v1/orders', body),
    },
    // A first attempt stores its answer in the intent update's batch (`answer`).
    async (preloaded, answer): Promise<{ status: number; body: Order }> => ({
      status: 201,
      body: await checkout(c.var.db, c.var.gateway, user.id, body, key, preloaded, answer),
    }),
    {
      guard: sessionGuard(c),
      batch: (statements) => authenticatedBatch(c, statements),
      reads: await checkoutReads(c.var.db, user.id, key),
    },
  )
  if (result.replayed) c.header('Idempotent-Replayed', 'true')
  c.header('Location', `/v1/orders/${result.body.id}`)
  return c.json(result.body, 201)
}

/** One round trip: the session check, the page, its lines and payments in one batch. */
export const listMyOrders: AppRouteHandler<typeof routes.listMyOrders> = async (c) => {
  const query = c.req.valid('query')
  const after = readCursor(query.cursor, bySeq)
  const where = and(eq(orders.userId, c.var.user.id), after && lt(orders.seq, after.i))
  const [rows, lines, paymentRows] = await authenticatedBatch(
    c,
    orderPageReads(c.var.db, where, query.limit + 1),
  )
  const { rows: pageRows, nextCursor } = toPage(bySeq, query.limit, rows)
  const page = { data: aggregatesOf(pageRows, lines, paymentRows).map(toOrder), nextCursor }
  setNextLink(c, page.nextCursor, routes.listMyOrders.request.query)
  return c.json(page, 200)
}

/**
 * One round trip: the session check, the order, its lines and its payment in one batch. Visibility is decided
 * after it, with the role the session check read (a demoted admin sees only their own orders at once).
 */
export const getOrder: AppRouteHandler<typeof routes.getOrder> = async (c) => {
  const { id } = c.req.valid('param')
  const aggregate = toAggregate(id, await authenticatedBatch(c, orderAggregateReads(c.var.db, id)))
  return c.json(toOrder(visibleTo(c.var.user, aggregate)), 200)
}

export const changeOrderAddress: AppRouteHandler<typeof routes.changeOrderAddress> = async (c) =>
  c.json(await changeAddress(c.var.db, c.req.valid('param').id, c.var.user, c.req.valid('json')), 200)

export const cancelOrder: AppRouteHandler<typeof routes.cancelOrder> = async (c) =>
  c.json(await cancel(c.var.db, c.var.gateway, c.req.valid('param').id, c.var.user), 200)
