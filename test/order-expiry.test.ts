import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { orders } from '../src/db/schema'
import { runCommerceCron } from '../src/features/orders'
import { createBook, createUser, getOrder, payOrder, placeOrder, stockOf } from './helpers/commerce'

/** Moves an order's checkout time into the past (tests never wait for the clock). */
async function backdate(orderId: string, minutes: number) {
  await harness
    .db()
    .update(orders)
    .set({ createdAt: new Date(Date.now() - minutes * 60_000) })
    .where(eq(orders.id, orderId))
}

describe('the commerce cron job', () => {
  it('expires orders unpaid for 30 minutes and releases their stock; leaves younger and paid ones alone', async () => {
    const customer = await createUser()
    const book = await createBook({ stock: 6 })
    const stale = await placeOrder(customer, [[book, 2]])
    const young = await placeOrder(customer, [[book, 1]])
    const paid = await placeOrder(customer, [[book, 1]])
    await payOrder(paid)
    await backdate(stale.id, 31)
    await backdate(young.id, 29)
    await backdate(paid.id, 31)
    expect(await stockOf(book)).toBe(2)

    const result = await runCommerceCron(harness.env)
    expect(result.expiredOrders).toBeGreaterThanOrEqual(1)
    expect(await getOrder(customer.token, stale.id)).toMatchObject({
      status: 'cancelled',
      cancelReason: 'payment_timeout',
      payment: { status: 'canceled' },
    })
    expect((await getOrder(customer.token, young.id)).status).toBe('pending_payment')
    expect((await getOrder(customer.token, paid.id)).status).toBe('paid')
    expect(await stockOf(book)).toBe(4)

    // Running again releases nothing twice.
    await runCommerceCron(harness.env)
    expect(await stockOf(book)).toBe(4)
  })

  it('a payment arriving after expiry is refunded, and the stock stays released', async () => {
    const customer = await createUser()
    const book = await createBook({ stock: 1 })
    const order = await placeOrder(customer, [[book, 1]])
    await backdate(order.id, 45)
    await runCommerceCron(harness.env)
    expect(await stockOf(book)).toBe(1)
    await payOrder(order)
    expect(await getOrder(customer.token, order.id)).toMatchObject({
      status: 'cancelled',
      refunded: { amount: order.total.amount },
    })
    expect(await stockOf(book)).toBe(1)
  })
})
