import type { MiddlewareHandler } from 'hono'
import type { Config } from '../../config'
import { ConfigError } from '../../config'
import type { AppEnv } from '../../env'
import type { PaymentGateway } from './gateway'
import { createLocalGateway } from './local'
import { createStripeGateway } from './stripe'

/**
 * Stripe when a secret key is configured; otherwise the local stand-in, which production refuses so that a
 * missing secret can never turn real orders into unpaid "paid" ones.
 */
export function paymentGatewayFor(config: Config): PaymentGateway {
  if (config.STRIPE_SECRET_KEY) {
    return createStripeGateway({ secretKey: config.STRIPE_SECRET_KEY, apiBase: config.STRIPE_API_BASE })
  }
  if (config.ENVIRONMENT === 'production') {
    throw new ConfigError('STRIPE_SECRET_KEY is required in production')
  }
  return createLocalGateway()
}

/** Resolves the gateway on first use, once: a request that never pays or refunds never needs the secret. */
function lazyGateway(resolve: () => PaymentGateway): PaymentGateway {
  let gateway: PaymentGateway | undefined
  const get = () => {
    gateway ??= resolve()
    return gateway
  }
  return {
    get name() {
      return get().name
    },
    createIntent: (input) => get().createIntent(input),
    cancelIntent: (input) => get().cancelIntent(input),
    refund: (input) => get().refund(input),
  }
}

/** Sets `c.var.gateway` for the request, from the validated config (the one place handlers get it from). */
export function paymentGateway(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set(
      'gateway',
      lazyGateway(() => paymentGatewayFor(c.var.config)),
    )
    await next()
  }
}
