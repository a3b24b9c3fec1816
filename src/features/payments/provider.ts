import type { Config } from '../../config'
import { ConfigError } from '../../config'
import { createLocalProvider } from './local'
import { createStripeProvider } from './stripe'

export type IntentStatus = 'requires_payment' | 'succeeded' | 'canceled'

export type CreatedIntent = { intentId: string; clientSecret: string; status: IntentStatus }

/** The gateway contract checkout and refunds rely on. Every write carries our own idempotency key. */
export type PaymentProvider = {
  readonly name: 'stripe' | 'local'
  createIntent(input: {
    amount: number
    currency: string
    orderId: string
    idempotencyKey: string
  }): Promise<CreatedIntent>
  cancelIntent(input: { intentId: string; idempotencyKey: string }): Promise<void>
  refund(input: {
    intentId: string
    amount: number
    idempotencyKey: string
  }): Promise<{ refundId: string; status: 'succeeded' | 'pending' }>
}

/** A gateway failure (network, 4xx/5xx from the provider). Callers answer 502 and compensate. */
export class PaymentGatewayError extends Error {
  override name = 'PaymentGatewayError'
}

/**
 * Stripe when a secret key is configured; otherwise the local stand-in, which production refuses so that a
 * missing secret can never turn real orders into unpaid "paid" ones.
 */
export function paymentProviderFor(config: Config): PaymentProvider {
  if (config.STRIPE_SECRET_KEY) {
    return createStripeProvider({
      secretKey: config.STRIPE_SECRET_KEY,
      apiBase: config.STRIPE_API_BASE,
    })
  }
  if (config.ENVIRONMENT === 'production') {
    throw new ConfigError('STRIPE_SECRET_KEY is required in production')
  }
  return createLocalProvider()
}
