import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { getConfig } from '../src/config'
import { orders, payments } from '../src/db/schema'
import { checkout } from '../src/features/orders/checkout.service'
import {
  gatewayFailureKind,
  type PaymentGateway,
  PaymentGatewayError,
} from '../src/features/payments/gateway'
import { createLocalGateway } from '../src/features/payments/local'
import { paymentGatewayFor } from '../src/features/payments/resolve-gateway'
import { createStripeGateway } from '../src/features/payments/stripe'
import { ApiError } from '../src/http/problem'
import { address, createBook, createUser, putInCart, stockOf } from './helpers/commerce'
import { api, json } from './helpers/http'

/** Recorded Stripe responses (shapes from docs.stripe.com/api), replayed by an injected fetch. */
const recorded = {
  paymentIntent: {
    id: 'pi_3PqRsT2eZvKYlo2C1a2b3c4d',
    object: 'payment_intent',
    amount: 3897,
    currency: 'eur',
    status: 'requires_payment_method',
    client_secret: 'pi_3PqRsT2eZvKYlo2C1a2b3c4d_secret_Xy9zAbCdEfGh',
    metadata: { order_id: 'ord_test' },
    livemode: false,
  },
  refund: {
    id: 're_3PqRsT2eZvKYlo2C0e9f8g7h',
    object: 'refund',
    amount: 1000,
    currency: 'eur',
    payment_intent: 'pi_3PqRsT2eZvKYlo2C1a2b3c4d',
    status: 'succeeded',
  },
  cardError: {
    error: {
      type: 'invalid_request_error',
      code: 'amount_too_small',
      message: 'Amount must be at least €0.50 eur',
      param: 'amount',
    },
  },
}

type Captured = { url: string; init: RequestInit }

function fakeStripe(status: number, body: unknown) {
  const calls: Captured[] = []
  const fetcher = (async (url: string, init: RequestInit) => {
    calls.push({ url, init })
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
  }) as unknown as typeof fetch
  return { calls, fetcher }
}

describe('Stripe adapter (recorded responses, no network)', () => {
  it('creates a PaymentIntent: form-encoded, secret key, our idempotency key, configurable base URL', async () => {
    const { calls, fetcher } = fakeStripe(200, recorded.paymentIntent)
    const stripe = createStripeGateway({
      secretKey: 'sk_test_123',
      apiBase: 'https://stripe.test/',
      fetcher,
    })
    const intent = await stripe.createIntent({
      amount: 3897,
      currency: 'EUR',
      orderId: 'ord_test',
      idempotencyKey: 'pay_abc',
    })
    expect(intent).toEqual({
      intentId: recorded.paymentIntent.id,
      clientSecret: recorded.paymentIntent.client_secret,
      status: 'requires_payment',
    })
    const [call] = calls
    expect(call!.url).toBe('https://stripe.test/v1/payment_intents')
    const headers = new Headers(call!.init.headers)
    expect(headers.get('Authorization')).toBe('Bearer sk_test_123')
    expect(headers.get('Idempotency-Key')).toBe('pay_abc')
    expect(headers.get('Content-Type')).toBe('application/x-www-form-urlencoded')
    const form = new URLSearchParams(String(call!.init.body))
    expect(form.get('amount')).toBe('3897')
    expect(form.get('currency')).toBe('eur')
    expect(form.get('metadata[order_id]')).toBe('ord_test')
    expect(form.get('automatic_payment_methods[enabled]')).toBe('true')
  })

  it('refunds and cancels with idempotency keys', async () => {
    const refundCall = fakeStripe(200, recorded.refund)
    const stripe = createStripeGateway({
      secretKey: 'sk_test_1',
      apiBase: 'https://stripe.test',
      fetcher: refundCall.fetcher,
    })
    expect(await stripe.refund({ intentId: 'pi_1', amount: 1000, idempotencyKey: 'rfd_1' })).toEqual({
      refundId: recorded.refund.id,
      status: 'succeeded',
    })
    const form = new URLSearchParams(String(refundCall.calls[0]!.init.body))
    expect(form.get('payment_intent')).toBe('pi_1')
    expect(form.get('amount')).toBe('1000')
    expect(new Headers(refundCall.calls[0]!.init.headers).get('Idempotency-Key')).toBe('rfd_1')

    const cancelCall = fakeStripe(200, { ...recorded.paymentIntent, status: 'canceled' })
    const cancelling = createStripeGateway({
      secretKey: 'sk_test_1',
      apiBase: 'https://stripe.test',
      fetcher: cancelCall.fetcher,
    })
    await cancelling.cancelIntent({ intentId: 'pi_1', idempotencyKey: 'pay_1_cancel' })
    expect(cancelCall.calls[0]!.url).toBe('https://stripe.test/v1/payment_intents/pi_1/cancel')
  })

  it('turns Stripe errors and network failures into PaymentGatewayError', async () => {
    const { fetcher } = fakeStripe(400, recorded.cardError)
    const stripe = createStripeGateway({ secretKey: 'sk_test_1', apiBase: 'https://stripe.test', fetcher })
    const error = await stripe
      .createIntent({ amount: 1, currency: 'EUR', orderId: 'ord_x', idempotencyKey: 'pay_x' })
      .catch((caught) => caught)
    expect(error).toBeInstanceOf(PaymentGatewayError)
    expect(error).toMatchObject({ message: 'Amount must be at least €0.50 eur' })
    // A refusal is told from an outage by its kind (what refund rows record and logs carry).
    expect(gatewayFailureKind(error)).toBe('http_400:amount_too_small')

    const offline = createStripeGateway({
      secretKey: 'sk_test_1',
      apiBase: 'https://stripe.test',
      fetcher: (async () => {
        throw new TypeError('network down')
      }) as unknown as typeof fetch,
    })
    const unreachable = await offline
      .refund({ intentId: 'pi_1', amount: 1, idempotencyKey: 'k' })
      .catch((caught) => caught)
    expect(unreachable).toBeInstanceOf(PaymentGatewayError)
    expect(gatewayFailureKind(unreachable)).toBe('unreachable')
  })
})

describe('provider selection', () => {
  it('uses the local stand-in without a key, Stripe with one, and refuses the stand-in in production', async () => {
    const config = getConfig(harness.env)
    expect(paymentGatewayFor(config).name).toBe('local')
    expect(paymentGatewayFor({ ...config, STRIPE_SECRET_KEY: 'sk_test_x' }).name).toBe('stripe')
    expect(() => paymentGatewayFor({ ...config, ENVIRONMENT: 'production' })).toThrow(/STRIPE_SECRET_KEY/)
    const local = await createLocalGateway().createIntent({
      amount: 1,
      currency: 'EUR',
      orderId: 'ord_x',
      idempotencyKey: 'pay_x',
    })
    expect(local.intentId).toMatch(/^pi_local_/)
    expect(local.clientSecret.startsWith(`${local.intentId}_secret_`)).toBe(true)
  })
})

describe('a checkout failing half-way', () => {
  it('leaves nothing reserved when the gateway fails after stock was taken: 502, cart restored', async () => {
    const customer = await createUser()
    const first = await createBook({ stock: 3 })
    const second = await createBook({ stock: 1 })
    await putInCart(customer, first, 2)
    await putInCart(customer, second, 1)
    const failing: PaymentGateway = {
      ...createLocalGateway(),
      createIntent: async () => {
        throw new PaymentGatewayError('Stripe could not be reached')
      },
    }
    const db = harness.db()
    const error = await checkout(db, failing, customer.id, { address: { ...address, country: 'GB' } }).catch(
      (caught) => caught,
    )
    expect(error).toBeInstanceOf(ApiError)
    expect(error.status).toBe(502)
    expect(await stockOf(first)).toBe(3)
    expect(await stockOf(second)).toBe(1)
    const cart = await json(await api('GET', '/v1/me/cart', { token: customer.token }))
    expect(cart.items.map((item: { quantity: number }) => item.quantity).sort()).toEqual([1, 2])
    const [order] = await db.select().from(orders).where(eq(orders.userId, customer.id))
    expect(order).toMatchObject({ status: 'cancelled', cancelReason: 'payment_setup_failed' })
    const [payment] = await db.select().from(payments).where(eq(payments.orderId, order!.id))
    expect(payment!.status).toBe('failed')
  })

  it('writes the local payment row first and passes its id to the gateway as the idempotency key', async () => {
    const customer = await createUser()
    await putInCart(customer, await createBook(), 1)
    const keys: string[] = []
    const recording: PaymentGateway = {
      ...createLocalGateway(),
      createIntent: async (input) => {
        keys.push(input.idempotencyKey)
        const [row] = await harness.db().select().from(payments).where(eq(payments.id, input.idempotencyKey))
        expect(row).toMatchObject({ status: 'creating', amount: input.amount })
        return { intentId: 'pi_recorded', clientSecret: 'pi_recorded_secret_x', status: 'requires_payment' }
      },
    }
    const order = await checkout(harness.db(), recording, customer.id, {
      address: { ...address, country: 'GB' },
    })
    expect(keys[0]).toMatch(/^pay_/)
    expect(order.payment).toMatchObject({ intentId: 'pi_recorded', status: 'requires_payment' })
  })
})
