import { describe, expect, it } from 'vitest'
import { signStripePayload, verifyStripeSignature } from '../src/features/payments/webhook-signature'
import {
  createBook,
  createUser,
  getOrder,
  placeOrder,
  postWebhook,
  stockOf,
  stripeEvent,
  WEBHOOK_SECRET,
} from './helpers/commerce'
import { api, json } from './helpers/http'
import { adminToken } from './helpers/tokens'

const succeeded = (intentId: string, id?: string) =>
  stripeEvent('payment_intent.succeeded', { id: intentId, object: 'payment_intent', status: 'succeeded' }, id)

async function pendingOrder(stock = 5, quantity = 2) {
  const customer = await createUser()
  const book = await createBook({ stock, price: 1000 })
  const order = await placeOrder(customer, [[book, quantity]])
  return { customer, book, order }
}

describe('POST /v1/webhooks/stripe: signature verification', () => {
  it('marks the order paid for a correctly signed payment_intent.succeeded', async () => {
    const { customer, order } = await pendingOrder()
    const response = await postWebhook(succeeded(order.payment.intentId))
    expect(response.status).toBe(200)
    expect(await json(response)).toEqual({ received: true, duplicate: false })
    const paid = await getOrder(customer.token, order.id)
    expect(paid).toMatchObject({ status: 'paid', payment: { status: 'succeeded', clientSecret: null } })
    expect(paid.paidAt).toBeTruthy()
  })

  it('rejects a missing, malformed, wrong or tampered signature with 400 and changes nothing', async () => {
    const { customer, order } = await pendingOrder()
    const event = succeeded(order.payment.intentId)
    const payload = JSON.stringify(event)
    const t = Math.floor(Date.now() / 1000)
    const wrongSecret = await signStripePayload('whsec_wrong', payload, t)
    const forOtherBody = await signStripePayload(WEBHOOK_SECRET, `${payload} `, t)
    const headers = [
      null,
      'garbage',
      `t=${t}`,
      'v1=abc',
      wrongSecret,
      forOtherBody,
      `t=${t},v0=${'0'.repeat(64)}`,
    ]
    for (const signature of headers) {
      const response = await postWebhook(event, { signature })
      expect(response.status).toBe(400)
      expect(response.headers.get('Content-Type')).toContain('application/problem+json')
    }
    expect((await getOrder(customer.token, order.id)).status).toBe('pending_payment')
  })

  it('rejects a stale timestamp (older than 5 minutes), even when correctly signed', async () => {
    const { customer, order } = await pendingOrder()
    const stale = Math.floor(Date.now() / 1000) - 301
    const response = await postWebhook(succeeded(order.payment.intentId), { timestamp: stale })
    expect(response.status).toBe(400)
    expect((await json(response)).detail).toContain('tolerance')
    expect((await getOrder(customer.token, order.id)).status).toBe('pending_payment')
  })

  it('accepts any one of several v1 signatures (secret rotation)', async () => {
    const { customer, order } = await pendingOrder()
    const event = succeeded(order.payment.intentId)
    const payload = JSON.stringify(event)
    const t = Math.floor(Date.now() / 1000)
    const good = (await signStripePayload(WEBHOOK_SECRET, payload, t)).split(',v1=')[1]
    const signature = `t=${t},v1=${'f'.repeat(64)},v1=${good}`
    expect((await postWebhook(event, { signature })).status).toBe(200)
    expect((await getOrder(customer.token, order.id)).status).toBe('paid')
  })

  it('verifies with the clock passed in (unit)', async () => {
    const payload = '{"id":"evt_1"}'
    const header = await signStripePayload('whsec_x', payload, 1_700_000_000)
    const at = (seconds: number) =>
      verifyStripeSignature({ header, payload, secret: 'whsec_x', now: seconds * 1000 })
    expect(await at(1_700_000_000 + 300)).toEqual({ ok: true })
    expect((await at(1_700_000_000 + 301)).ok).toBe(false)
    expect((await at(1_700_000_000 - 301)).ok).toBe(false)
  })
})

describe('POST /v1/webhooks/stripe: events', () => {
  it('processes each event id once: a replay answers 200 and changes nothing', async () => {
    const { customer, book, order } = await pendingOrder(5, 2)
    const failed = stripeEvent('payment_intent.payment_failed', { id: order.payment.intentId })
    expect((await postWebhook(failed)).status).toBe(200)
    expect(await stockOf(book)).toBe(5)
    const replay = await postWebhook(failed)
    expect(replay.status).toBe(200)
    expect(await json(replay)).toEqual({ received: true, duplicate: true })
    expect(await stockOf(book)).toBe(5) // released once, not twice
    expect((await getOrder(customer.token, order.id)).status).toBe('cancelled')
  })

  it('payment_failed and canceled cancel the order and release its stock', async () => {
    for (const type of ['payment_intent.payment_failed', 'payment_intent.canceled']) {
      const { customer, book, order } = await pendingOrder(3, 3)
      expect(await stockOf(book)).toBe(0)
      expect((await postWebhook(stripeEvent(type, { id: order.payment.intentId }))).status).toBe(200)
      const cancelled = await getOrder(customer.token, order.id)
      expect(cancelled.status).toBe('cancelled')
      expect(cancelled.cancelReason).toBe(type.endsWith('failed') ? 'payment_failed' : 'payment_canceled')
      expect(await stockOf(book)).toBe(3)
    }
  })

  it('a payment failure after the order was paid changes nothing', async () => {
    const { customer, book, order } = await pendingOrder(5, 2)
    await postWebhook(succeeded(order.payment.intentId))
    await postWebhook(stripeEvent('payment_intent.payment_failed', { id: order.payment.intentId }))
    expect((await getOrder(customer.token, order.id)).status).toBe('paid')
    expect(await stockOf(book)).toBe(3)
  })

  it('a failure event arriving after the success leaves the payment succeeded: a cancel then refunds it all', async () => {
    for (const type of ['payment_intent.payment_failed', 'payment_intent.canceled']) {
      const { customer, book, order } = await pendingOrder(5, 2)
      await postWebhook(succeeded(order.payment.intentId))
      // Stripe does not promise order: a declined first attempt's event may come after the retry's success.
      await postWebhook(stripeEvent(type, { id: order.payment.intentId }))
      expect(await getOrder(customer.token, order.id)).toMatchObject({
        status: 'paid',
        payment: { status: 'succeeded' },
      })
      const cancelled = await json(
        await api('POST', `/v1/orders/${order.id}/cancel`, { token: customer.token }),
      )
      expect(cancelled).toMatchObject({ status: 'cancelled', refunded: { amount: order.total.amount } })
      expect(await stockOf(book)).toBe(5)
    }
  })

  it('a late payment after a dashboard refund of the cancelled order refunds the rest', async () => {
    const { customer, order } = await pendingOrder(5, 1)
    await postWebhook(stripeEvent('payment_intent.canceled', { id: order.payment.intentId }))
    await postWebhook(
      stripeEvent('charge.refunded', {
        id: `ch_${crypto.randomUUID()}`,
        object: 'charge',
        payment_intent: order.payment.intentId,
        amount_refunded: 500,
      }),
    )
    await postWebhook(succeeded(order.payment.intentId))
    expect(await getOrder(customer.token, order.id)).toMatchObject({
      status: 'cancelled',
      refunded: { amount: order.total.amount },
    })
    const refunds = await json(await api('GET', `/v1/admin/refunds?limit=100`, { token: await adminToken() }))
    const forOrder = refunds.data.filter((refund: { orderId: string }) => refund.orderId === order.id)
    expect(forOrder.map((refund: { amount: { amount: number } }) => refund.amount.amount).sort()).toEqual(
      [500, order.total.amount - 500].sort(),
    )
  })

  it('charge.refunded records refunds made in Stripe, cumulative and capped at the total', async () => {
    const { customer, order } = await pendingOrder(5, 2) // total 2499
    await postWebhook(succeeded(order.payment.intentId))
    const charge = (amountRefunded: number) =>
      stripeEvent('charge.refunded', {
        id: `ch_${crypto.randomUUID()}`,
        object: 'charge',
        payment_intent: order.payment.intentId,
        amount_refunded: amountRefunded,
      })
    await postWebhook(charge(1000))
    expect(await getOrder(customer.token, order.id)).toMatchObject({
      status: 'partially_refunded',
      refunded: { amount: 1000, currency: 'EUR' },
    })
    await postWebhook(charge(500)) // older, smaller cumulative figure: ignored
    expect((await getOrder(customer.token, order.id)).refunded.amount).toBe(1000)
    await postWebhook(charge(99_999))
    expect(await getOrder(customer.token, order.id)).toMatchObject({
      status: 'refunded',
      refunded: { amount: 2499 },
    })
  })

  it('refunds a payment that succeeds after its order was cancelled', async () => {
    const { customer, order } = await pendingOrder(5, 1)
    await postWebhook(stripeEvent('payment_intent.canceled', { id: order.payment.intentId }))
    await postWebhook(succeeded(order.payment.intentId))
    expect(await getOrder(customer.token, order.id)).toMatchObject({
      status: 'cancelled',
      refunded: { amount: order.total.amount },
      payment: { status: 'succeeded' },
    })
  })

  it('acknowledges unknown event types and unknown intents; 400 for a body that is not an event', async () => {
    expect((await postWebhook(stripeEvent('customer.created', { id: 'cus_1' }))).status).toBe(200)
    expect((await postWebhook(succeeded('pi_unknown'))).status).toBe(200)
    expect((await postWebhook({ hello: 'world' })).status).toBe(400)
  })
})
