// Runs in the `workerd-stripe` project only: STRIPE_SECRET_KEY is set, so checkout and refunds go through the
// real Stripe adapter, and miniflare intercepts its outbound fetches (test/stripe/recorded-stripe.ts).
import { describe, expect, it } from 'vitest'
import { createBook, createUser, getOrder, payOrder, placeOrder } from '../helpers/commerce'
import { api, json } from '../helpers/http'

describe('checkout and refunds through the real Stripe adapter (outbound fetch intercepted)', () => {
  it('creates the PaymentIntent at Stripe, is paid by the webhook, and refunds through Stripe', async () => {
    const customer = await createUser()
    const book = await createBook({ stock: 2, price: 2500 })
    const order = await placeOrder(customer, [[book, 1]])
    expect(order.payment).toMatchObject({
      provider: 'stripe',
      intentId: expect.stringMatching(/^pi_rec\d{20}$/),
      clientSecret: expect.stringMatching(/^pi_rec\d{20}_secret_/),
    })
    await payOrder(order)
    expect((await getOrder(customer.token, order.id)).status).toBe('paid')

    const admin = await createUser('admin')
    const refund = await api('POST', `/v1/admin/orders/${order.id}/refunds`, {
      token: admin.token,
      body: { amount: 1000 },
    })
    expect(refund.status).toBe(201)
    const body = await json(refund)
    expect(body.order.status).toBe('partially_refunded')
    expect(body.refund.amount).toEqual({ amount: 1000, currency: 'EUR' })
  })
})
