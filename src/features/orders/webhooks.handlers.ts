import { ConfigError } from '../../config'
import { ApiError } from '../../http/problem'
import type { AppRouteHandler } from '../../http/router'
import { verifyStripeSignature } from '../payments'
import { handleStripeEvent, StripeEventSchema } from './payment-events'
import type * as routes from './webhooks.routes'

const badRequest = (detail: string) => new ApiError(400, { title: 'Invalid webhook', detail })

export const stripeWebhook: AppRouteHandler<typeof routes.stripeWebhook> = async (c) => {
  const secret = c.var.config.STRIPE_WEBHOOK_SECRET
  if (!secret) throw new ConfigError('STRIPE_WEBHOOK_SECRET is not set')
  // The signature covers the exact bytes Stripe sent: read the raw text before any JSON parsing.
  const payload = await c.req.text()
  const check = await verifyStripeSignature({ header: c.req.header('Stripe-Signature'), payload, secret })
  if (!check.ok) throw badRequest(check.reason)
  let parsed: unknown
  try {
    parsed = JSON.parse(payload)
  } catch {
    throw badRequest('The body is not JSON')
  }
  const event = StripeEventSchema.safeParse(parsed)
  if (!event.success) throw badRequest('The body is not a Stripe event')
  const result = await handleStripeEvent(c.var.db, c.var.gateway, event.data)
  return c.json({ received: true as const, duplicate: result.duplicate }, 200)
}
