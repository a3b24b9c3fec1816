import { createRouter } from '../../http/router'
import * as adminHandlers from './admin.handlers'
import * as adminRoutes from './admin.routes'
import * as handlers from './orders.handlers'
import * as routes from './orders.routes'

export { commerceAccountDeletion } from './account-deletion'
export { runCommerceCron } from './cron'
// For the Stripe webhook (src/features/payments): the order effects of a payment event.
export { releaseStockStatements } from './inventory'
export { canTransition, REFUNDABLE } from './order-status'
export { loadOrder, type OrderAggregate } from './order-views'
export { pendingRefundStatement, reserveRefundStatement, sendRefund } from './refunds.service'

export const ordersRouter = createRouter()
  .openapi(routes.createOrder, handlers.createOrder)
  .openapi(routes.listMyOrders, handlers.listMyOrders)
  .openapi(routes.getOrder, handlers.getOrder)
  .openapi(routes.changeOrderAddress, handlers.changeOrderAddress)
  .openapi(routes.cancelOrder, handlers.cancelOrder)
  .openapi(adminRoutes.listOrders, adminHandlers.listOrders)
  .openapi(adminRoutes.shipOrder, adminHandlers.shipOrder)
  .openapi(adminRoutes.deliverOrder, adminHandlers.deliverOrder)
  .openapi(adminRoutes.refundOrder, adminHandlers.refundOrder)
