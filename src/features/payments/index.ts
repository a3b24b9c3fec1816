import { createRouter } from '../../http/router'
import * as handlers from './webhooks.handlers'
import * as routes from './webhooks.routes'

export const paymentsRouter = createRouter().openapi(routes.stripeWebhook, handlers.stripeWebhook)

export { type PaymentProvider, paymentProviderFor } from './provider'
