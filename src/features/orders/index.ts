import { createRouter } from '../../http/router'
import * as adminHandlers from './admin.handlers'
import * as adminRoutes from './admin.routes'
import * as handlers from './orders.handlers'
import * as routes from './orders.routes'
import * as webhookHandlers from './webhooks.handlers'
import * as webhookRoutes from './webhooks.routes'

export { commerceAccountDeletion } from './account-deletion'
export { expireOrderOnTime, runCommerceCron } from './cron'

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
  .openapi(adminRoutes.listRefunds, adminHandlers.listRefunds)
  .openapi(adminRoutes.retryRefund, adminHandlers.retryRefund)
  .openapi(webhookRoutes.stripeWebhook, webhookHandlers.stripeWebhook)
