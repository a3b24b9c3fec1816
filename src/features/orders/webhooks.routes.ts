import { createRoute, z } from '@hono/zod-openapi'
import { jsonContent } from '../../http/openapi'
import { publicRoute } from '../../http/policy'
import { pick } from '../../http/schemas'

export const stripeWebhook = createRoute({
  operationId: 'receiveStripeWebhook',
  tags: ['Payments'],
  method: 'post',
  path: '/webhooks/stripe',
  // Public: Stripe proves itself with the signature, not a token. Counted per IP like any public route.
  ...publicRoute(),
  summary: 'Stripe webhook endpoint',
  description:
    'Called by Stripe, not by clients. The raw body must carry a valid `Stripe-Signature` (HMAC-SHA256 with the ' +
    'endpoint secret, timestamp within 5 minutes); otherwise 400 and nothing changes. Handles ' +
    '`payment_intent.succeeded`, `payment_intent.payment_failed`, `payment_intent.canceled` and `charge.refunded`; ' +
    'other event types are acknowledged and ignored. Each event id is applied once; a replay answers 200.',
  // No body schema on purpose: validation would parse the body, and the signature covers the raw bytes.
  request: {
    headers: z.object({
      'stripe-signature': z
        .string()
        .optional()
        .openapi({ param: { name: 'stripe-signature', in: 'header' } }),
    }),
  },
  responses: {
    200: jsonContent(
      z.object({ received: z.literal(true), duplicate: z.boolean() }).openapi('WebhookAck'),
      'Accepted (or already processed)',
    ),
    ...pick(400, 413, 415, 500),
  },
})
