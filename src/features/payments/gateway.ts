/**
 * The payment gateway contract: what checkout, cancellation and refunds need from a payment provider, and the
 * one error it throws. The Stripe adapter (stripe.ts) and the local stand-in (local.ts) implement it; nothing
 * here knows about orders. Every write carries our own idempotency key (a local row's id), so a retried call
 * never charges or refunds twice.
 */
export type IntentStatus = 'requires_payment' | 'succeeded' | 'canceled'

export type CreatedIntent = { intentId: string; clientSecret: string; status: IntentStatus }

/** `succeeded`: the money is back; `pending`: the gateway accepted the refund and is settling it. */
export type GatewayRefund = { refundId: string; status: 'succeeded' | 'pending' }

export type PaymentGateway = {
  readonly name: 'stripe' | 'local'
  createIntent(input: {
    amount: number
    currency: string
    orderId: string
    idempotencyKey: string
  }): Promise<CreatedIntent>
  cancelIntent(input: { intentId: string; idempotencyKey: string }): Promise<void>
  refund(input: { intentId: string; amount: number; idempotencyKey: string }): Promise<GatewayRefund>
}

/**
 * A gateway failure: unreachable (network, timeout) or an error answer. `gatewayStatus` and `gatewayCode` are
 * the provider's HTTP status and error code (e.g. `charge_already_refunded`), safe to log; the message is not
 * logged (it may echo a value).
 */
export class PaymentGatewayError extends Error {
  override name = 'PaymentGatewayError'
  constructor(
    message: string,
    readonly gatewayStatus?: number,
    readonly gatewayCode?: string,
  ) {
    super(message)
  }
}

/** A short, value-free description of a gateway failure for logs and the refund row's `last_error`. */
export function gatewayFailureKind(error: unknown): string {
  if (!(error instanceof PaymentGatewayError)) return 'unexpected'
  if (error.gatewayStatus === undefined) return 'unreachable'
  const code = error.gatewayCode && /^[a-z0-9_]{1,64}$/.test(error.gatewayCode) ? `:${error.gatewayCode}` : ''
  return `http_${error.gatewayStatus}${code}`
}
