import { eq } from 'drizzle-orm'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { harness } from '#harness'
import { refunds } from '../src/db/schema'
import { runCommerceCron } from '../src/features/orders'
import { cancelOrder, refundOrder } from '../src/features/orders/order-lifecycle'
import { handleStripeEvent } from '../src/features/orders/payment-events'
import { REFUND_LEASE_MS } from '../src/features/orders/refunds.service'
import { type PaymentGateway, PaymentGatewayError } from '../src/features/payments/gateway'
import { createLocalGateway } from '../src/features/payments/local'
import {
  createBook,
  createUser,
  getOrder,
  payOrder,
  placeOrder,
  postWebhook,
  stripeEvent,
} from './helpers/commerce'
import { api, json } from './helpers/http'

/** A gateway that refuses every refund as Stripe does when unreachable; everything else works. */
function failingGateway(calls: string[] = []): PaymentGateway {
  return {
    ...createLocalGateway(),
    refund: async (input) => {
      calls.push(input.idempotencyKey)
      throw new PaymentGatewayError('Stripe could not be reached')
    },
  }
}

/** A gateway whose refund call never returns: the process "dies" after claiming the row. */
function dyingGateway() {
  let claimed!: () => void
  const called = new Promise<void>((resolve) => {
    claimed = resolve
  })
  const gateway: PaymentGateway = {
    ...createLocalGateway(),
    refund: () => {
      claimed()
      return new Promise(() => {})
    },
  }
  return { gateway, called }
}

const refundRow = async (id: string) =>
  (await harness.db().query.refunds.findFirst({ where: eq(refunds.id, id) }))!

const refundsOf = (orderId: string) =>
  harness.db().select().from(refunds).where(eq(refunds.orderId, orderId)).orderBy(refunds.createdAt)

/** Runs the cron job at a time after every lease and backoff this test created. */
const later = (ms: number) => runCommerceCron(harness.env, new Date(Date.now() + ms))

async function paidOrder() {
  const customer = await createUser()
  const order = await placeOrder(customer, [[await createBook({ stock: 5, price: 2000 }), 1]])
  await payOrder(order)
  return { customer, order }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('the refund protocol', () => {
  it('a refund the gateway fails is recorded, logged without values, listed for admins and resent by the cron job', async () => {
    const { order } = await paidOrder()
    const admin = await createUser('admin')
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const calls: string[] = []
    const result = await refundOrder(harness.db(), failingGateway(calls), {
      orderId: order.id,
      amount: 700,
      actor: { id: admin.id, role: 'admin' },
    })
    expect(result.refund).toMatchObject({ status: 'failed', attempts: 1, lastError: 'unreachable' })
    expect(result.refund.nextAttemptAt).not.toBeNull()
    // The money is owed, not forgotten: the order counts it, and a retry of the call would be refused.
    expect(result.order).toMatchObject({ status: 'partially_refunded', refunded: { amount: 700 } })
    expect(calls).toEqual([result.refund.id])

    const logged = warn.mock.calls
      .map(([line]) => String(line))
      .find((line) => line.includes(result.refund.id))
    expect(JSON.parse(logged!)).toMatchObject({
      level: 'warn',
      msg: 'refund attempt failed',
      orderId: order.id,
      attempts: 1,
      failure: 'unreachable',
    })
    expect(logged).not.toContain('700')
    expect(logged).not.toContain('Stripe could not be reached')

    const failed = await json(
      await api('GET', '/v1/admin/refunds?status=failed&limit=100', { token: admin.token }),
    )
    expect(failed.data.map((refund: { id: string }) => refund.id)).toContain(result.refund.id)

    // Not due yet: the cron job leaves it alone; once due, it is resent with the same idempotency key.
    await runCommerceCron(harness.env)
    expect((await refundRow(result.refund.id)).status).toBe('failed')
    await later(60 * 60 * 1000)
    expect(await refundRow(result.refund.id)).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      lastError: null,
    })
    expect(await refundsOf(order.id)).toHaveLength(1)
    expect((await getOrder(admin.token, order.id)).refunded.amount).toBe(700)
  })

  it('an admin can resend an unconfirmed refund by hand; a confirmed one is 409, an unknown one 404', async () => {
    const { order } = await paidOrder()
    const admin = await createUser('admin')
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const { refund } = await refundOrder(harness.db(), failingGateway(), {
      orderId: order.id,
      actor: { id: admin.id, role: 'admin' },
    })
    expect(refund.status).toBe('failed')
    const retry = () => api('POST', `/v1/admin/refunds/${refund.id}/retry`, { token: admin.token })
    const retried = await retry()
    expect(retried.status).toBe(200)
    expect(await json(retried)).toMatchObject({
      id: refund.id,
      status: 'succeeded',
      attempts: 2,
      nextAttemptAt: null,
    })
    expect((await retry()).status).toBe(409)
    const unknown = await api('POST', `/v1/admin/refunds/rfd_${'0'.repeat(26)}/retry`, { token: admin.token })
    expect(unknown.status).toBe(404)
    const audit = await json(
      await api('GET', `/v1/admin/audit?targetId=${refund.id}`, { token: admin.token }),
    )
    expect(audit.data.map((entry: { action: string }) => entry.action)).toEqual(['refund.retry'])
  })

  it('a refund reserved but never sent (the process died mid-call) is sent by the cron job once its lease ends', async () => {
    const { customer, order } = await paidOrder()
    const { gateway, called } = dyingGateway()
    // The customer's cancel commits the refund row, claims it and calls the gateway, which never answers.
    void cancelOrder(harness.db(), gateway, order.id, { id: customer.id, role: 'customer' })
    await called
    const [reserved] = await refundsOf(order.id)
    expect(reserved).toMatchObject({ status: 'pending', attempts: 1, amount: order.total.amount })
    expect((await getOrder(customer.token, order.id)).status).toBe('cancelled')

    await runCommerceCron(harness.env)
    expect((await refundRow(reserved!.id)).attempts).toBe(1)
    await later(REFUND_LEASE_MS + 1000)
    expect(await refundRow(reserved!.id)).toMatchObject({ status: 'succeeded', attempts: 2 })
  })

  it('a late payment whose refund fails is not lost: the row stays due and the cron job sends it', async () => {
    const customer = await createUser()
    const order = await placeOrder(customer, [[await createBook({ stock: 5 }), 1]])
    expect((await api('POST', `/v1/orders/${order.id}/cancel`, { token: customer.token })).status).toBe(200)
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const event = stripeEvent('payment_intent.succeeded', { id: order.payment.intentId, status: 'succeeded' })
    await handleStripeEvent(harness.db(), failingGateway(), {
      id: event.id,
      type: event.type,
      data: event.data,
    })
    const [owed] = await refundsOf(order.id)
    expect(owed).toMatchObject({ status: 'failed', reason: 'late payment', amount: order.total.amount })
    await later(60 * 60 * 1000)
    expect((await refundRow(owed!.id)).status).toBe('succeeded')
    expect(await refundsOf(order.id)).toHaveLength(1)
  })

  it('refunds made in Stripe’s dashboard are recorded as refund rows of the difference, once', async () => {
    const { order } = await paidOrder()
    const refunded = (amountRefunded: number) =>
      postWebhook(
        stripeEvent('charge.refunded', {
          id: `ch_${crypto.randomUUID()}`,
          payment_intent: order.payment.intentId,
          amount_refunded: amountRefunded,
        }),
      )
    await refunded(500)
    await refunded(500)
    await refunded(order.total.amount)
    const rows = await refundsOf(order.id)
    expect(rows.map((row) => [row.amount, row.status]).sort(([a], [b]) => Number(a) - Number(b))).toEqual(
      [
        [500, 'succeeded'],
        [order.total.amount - 500, 'succeeded'],
      ].sort(([a], [b]) => Number(a) - Number(b)),
    )
    expect((await getOrder((await createUser('admin')).token, order.id)).refunded.amount).toBe(
      order.total.amount,
    )
  })
})
