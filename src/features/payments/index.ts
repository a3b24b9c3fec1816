/**
 * The payment gateway, and nothing else: the contract (gateway.ts), the Stripe and local adapters behind it,
 * the per-request resolver, and Stripe's webhook signature scheme. It knows no order; the orders feature owns
 * what payments mean for an order (order-lifecycle.ts, payment-events.ts).
 */
export {
  type CreatedIntent,
  type GatewayRefund,
  gatewayFailureKind,
  type IntentStatus,
  type PaymentGateway,
  PaymentGatewayError,
} from './gateway'
export { paymentGateway, paymentGatewayFor } from './resolve-gateway'
export { signStripePayload, verifyStripeSignature } from './webhook-signature'
