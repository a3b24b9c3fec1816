import { type IntentStatus, type PaymentGateway, PaymentGatewayError } from './gateway'

type StripeOptions = { secretKey: string; apiBase: string; fetcher?: typeof fetch }

type StripeIntent = { id: string; client_secret: string; status: string }
type StripeRefund = { id: string; status: string }

/** Stripe's PaymentIntent statuses, folded into ours. */
function intentStatus(status: string): IntentStatus {
  if (status === 'succeeded') return 'succeeded'
  if (status === 'canceled') return 'canceled'
  return 'requires_payment'
}

/** Stripe's bracketed form encoding for one level of nesting: `metadata[order_id]=…`. */
function formEncode(params: Record<string, string | number | Record<string, string>>): string {
  const form = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'object') {
      for (const [inner, innerValue] of Object.entries(value)) form.append(`${key}[${inner}]`, innerValue)
    } else {
      form.append(key, String(value))
    }
  }
  return form.toString()
}

/**
 * How long one Stripe call may take before it fails as unreachable. It bounds a checkout's duration, which the
 * idempotency lease (IN_FLIGHT_LEASE_MS, src/http/idempotency.ts) must exceed.
 */
export const GATEWAY_TIMEOUT_MS = 10 * 1000

/**
 * The real adapter: Stripe's REST API over fetch (no SDK: stripe-node's Node-only paths do not belong in the
 * Worker). Every write sends an `Idempotency-Key`, so a retry after a timeout never charges or refunds twice.
 */
export function createStripeGateway(options: StripeOptions): PaymentGateway {
  const fetcher = options.fetcher ?? fetch
  const base = options.apiBase.replace(/\/+$/, '')

  async function post<T>(path: string, params: Parameters<typeof formEncode>[0], idempotencyKey: string) {
    let response: Response
    try {
      response = await fetcher(`${base}${path}`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${options.secretKey}`,
          'Content-Type': 'application/x-www-form-urlencoded',
          'Idempotency-Key': idempotencyKey,
        },
        body: formEncode(params),
        signal: AbortSignal.timeout(GATEWAY_TIMEOUT_MS),
      })
    } catch {
      throw new PaymentGatewayError('Stripe could not be reached')
    }
    const body = (await response.json().catch(() => null)) as
      | (T & { error?: { message?: string; code?: string } })
      | null
    if (!response.ok || !body) {
      // The status and Stripe's error code tell an outage from a refusal (gatewayFailureKind); the message is
      // Stripe's, never logged.
      throw new PaymentGatewayError(
        body?.error?.message ?? `Stripe answered ${response.status}`,
        response.status,
        body?.error?.code,
      )
    }
    return body as T
  }

  return {
    name: 'stripe',
    async createIntent({ amount, currency, orderId, idempotencyKey }) {
      const intent = await post<StripeIntent>(
        '/v1/payment_intents',
        {
          amount,
          currency: currency.toLowerCase(),
          'automatic_payment_methods[enabled]': 'true',
          metadata: { order_id: orderId },
        },
        idempotencyKey,
      )
      return { intentId: intent.id, clientSecret: intent.client_secret, status: intentStatus(intent.status) }
    },
    async cancelIntent({ intentId, idempotencyKey }) {
      await post<StripeIntent>(
        `/v1/payment_intents/${encodeURIComponent(intentId)}/cancel`,
        {},
        idempotencyKey,
      )
    },
    async refund({ intentId, amount, idempotencyKey }) {
      const refund = await post<StripeRefund>(
        '/v1/refunds',
        { payment_intent: intentId, amount },
        idempotencyKey,
      )
      return { refundId: refund.id, status: refund.status === 'succeeded' ? 'succeeded' : 'pending' }
    },
  }
}
