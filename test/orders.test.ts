import { eq } from 'drizzle-orm'
import { decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { cartItems, idempotencyKeys, orders, sessions } from '../src/db/schema'
import {
  address,
  checkoutRequest,
  createBook,
  createUser,
  getOrder,
  payOrder,
  placeOrder,
  putInCart,
  stockOf,
} from './helpers/commerce'
import { api, json } from './helpers/http'

describe('POST /v1/orders (checkout)', () => {
  it('a revoked session is refused before anything is written: no key claimed, no order, stock and cart kept', async () => {
    const customer = await createUser()
    const bookId = await createBook({ stock: 3 })
    expect((await putInCart(customer, bookId, 2)).status).toBe(200)
    await harness
      .db()
      .update(sessions)
      .set({ revokedAt: new Date(), revokedReason: 'logout' })
      .where(eq(sessions.id, decodeJwt(customer.token).sid as string))
    const refused = await checkoutRequest(customer)
    expect(refused.status).toBe(401)
    const db = harness.db()
    expect(await db.select().from(idempotencyKeys).where(eq(idempotencyKeys.userId, customer.id))).toEqual([])
    expect(await db.select().from(orders).where(eq(orders.userId, customer.id))).toEqual([])
    expect(await stockOf(bookId)).toBe(3)
    expect((await db.select().from(cartItems).where(eq(cartItems.userId, customer.id))).length).toBe(1)
  })

  it('creates a pending order from the cart with server-side totals, a payment intent and reserved stock', async () => {
    const customer = await createUser()
    const first = await createBook({ price: 1299, stock: 5, title: 'Emma' })
    const second = await createBook({ price: 800, stock: 2, title: 'Persuasion' })
    await putInCart(customer, first, 2)
    await putInCart(customer, second, 1)

    const response = await checkoutRequest(customer)
    expect(response.status).toBe(201)
    const order = await json(response)
    expect(response.headers.get('Location')).toBe(`/v1/orders/${order.id}`)
    expect(order).toMatchObject({
      status: 'pending_payment',
      customerId: customer.id,
      subtotal: { amount: 3398, currency: 'EUR' },
      shipping: { amount: 499, currency: 'EUR' },
      total: { amount: 3897, currency: 'EUR' },
      refunded: { amount: 0, currency: 'EUR' },
      address: { ...address, country: 'GB', line2: null, region: null },
      payment: { provider: 'local', status: 'requires_payment' },
    })
    expect(order.id).toMatch(/^ord_[0-9a-z]{26}$/)
    expect(order.payment.intentId).toMatch(/^pi_/)
    expect(order.payment.clientSecret).toMatch(new RegExp(`^${order.payment.intentId}_secret_`))
    expect(order.lines).toEqual([
      {
        bookId: first,
        title: 'Emma',
        quantity: 2,
        unitPrice: { amount: 1299, currency: 'EUR' },
        lineTotal: { amount: 2598, currency: 'EUR' },
      },
      {
        bookId: second,
        title: 'Persuasion',
        quantity: 1,
        unitPrice: { amount: 800, currency: 'EUR' },
        lineTotal: { amount: 800, currency: 'EUR' },
      },
    ])
    expect(new Date(order.expiresAt).getTime() - new Date(order.createdAt).getTime()).toBe(30 * 60 * 1000)
    expect(await stockOf(first)).toBe(3)
    expect(await stockOf(second)).toBe(1)
    expect((await json(await api('GET', '/v1/me/cart', { token: customer.token }))).items).toEqual([])
  })

  it('ships free from 50.00 and never trusts client-sent prices', async () => {
    const customer = await createUser()
    await putInCart(customer, await createBook({ price: 2500 }), 2)
    const forged = await checkoutRequest(customer, undefined, {
      address,
      total: { amount: 1, currency: 'EUR' },
    })
    expect(forged.status).toBe(422)
    const order = await json(await checkoutRequest(customer))
    expect(order.shipping.amount).toBe(0)
    expect(order.total.amount).toBe(5000)
  })

  it('uses a saved address by id, and refuses another customer’s address', async () => {
    const customer = await createUser()
    const other = await createUser()
    const saved = await json(await api('POST', '/v1/me/addresses', { token: customer.token, body: address }))
    const foreign = await json(await api('POST', '/v1/me/addresses', { token: other.token, body: address }))
    await putInCart(customer, await createBook(), 1)
    expect((await checkoutRequest(customer, undefined, { addressId: foreign.id })).status).toBe(422)
    expect((await checkoutRequest(customer, undefined, {})).status).toBe(422)
    const order = await json(await checkoutRequest(customer, undefined, { addressId: saved.id }))
    expect(order.address.name).toBe(address.name)
  })

  it('refuses an empty cart (409) and a missing Idempotency-Key (400)', async () => {
    const customer = await createUser()
    expect((await checkoutRequest(customer)).status).toBe(409)
    await putInCart(customer, await createBook(), 1)
    const response = await api('POST', '/v1/orders', { token: customer.token, body: { address } })
    expect(response.status).toBe(400)
    expect((await json(response)).errors[0].pointer).toBe('/header/idempotency-key')
  })

  it('409s naming the short lines and reserves nothing when any line is short', async () => {
    const customer = await createUser()
    const plenty = await createBook({ stock: 10 })
    const scarce = await createBook({ stock: 2, title: 'Scarce' })
    await putInCart(customer, plenty, 3)
    await putInCart(customer, scarce, 2)
    // Someone else buys a copy of the scarce book after it went into this cart.
    const rival = await createUser()
    await placeOrder(rival, [[scarce, 1]])

    const response = await checkoutRequest(customer)
    expect(response.status).toBe(409)
    const problem = await json(response)
    expect(problem.type).toBe('/problems/out-of-stock')
    expect(problem.detail).toContain('Scarce')
    expect(problem.errors).toEqual([{ pointer: `/cart/items/${scarce}`, detail: 'Requested 2, available 1' }])
    // Nothing reserved: the first line's stock is untouched and the cart is intact.
    expect(await stockOf(plenty)).toBe(10)
    expect(await stockOf(scarce)).toBe(1)
    expect((await json(await api('GET', '/v1/me/cart', { token: customer.token }))).items).toHaveLength(2)
    expect((await json(await api('GET', '/v1/me/orders', { token: customer.token }))).data).toEqual([])
  })
})

describe('Idempotency-Key on checkout', () => {
  it('returns the first response again for a retry with the same key and body', async () => {
    const customer = await createUser()
    const book = await createBook({ stock: 5 })
    await putInCart(customer, book, 1)
    const key = crypto.randomUUID()
    const first = await checkoutRequest(customer, key)
    const retry = await checkoutRequest(customer, key)
    expect(first.status).toBe(201)
    expect(retry.status).toBe(201)
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true')
    expect(await json(retry)).toEqual(await json(first))
    expect(await stockOf(book)).toBe(4)
    expect((await json(await api('GET', '/v1/me/orders', { token: customer.token }))).data).toHaveLength(1)
  })

  it('answers 422 for the same key with a different body', async () => {
    const customer = await createUser()
    await putInCart(customer, await createBook(), 1)
    const key = crypto.randomUUID()
    expect((await checkoutRequest(customer, key)).status).toBe(201)
    const other = await checkoutRequest(customer, key, {
      address: { ...address, city: 'Paris', country: 'FR' },
    })
    expect(other.status).toBe(422)
    expect((await json(other)).title).toBe('Idempotency key reused')
  })

  it('replays a stored error too, and scopes keys per customer', async () => {
    const customer = await createUser()
    const key = crypto.randomUUID()
    expect((await checkoutRequest(customer, key)).status).toBe(409) // empty cart
    await putInCart(customer, await createBook(), 1)
    expect((await checkoutRequest(customer, key)).status).toBe(409) // the stored first answer
    const other = await createUser()
    await putInCart(other, await createBook(), 1)
    expect((await checkoutRequest(other, key)).status).toBe(201)
  })
})

describe('reading orders', () => {
  it('lists the caller’s orders newest first with cursor pagination', async () => {
    const customer = await createUser()
    const book = await createBook({ stock: 10 })
    const ids: string[] = []
    for (let i = 0; i < 3; i++) ids.push((await placeOrder(customer, [[book, 1]])).id)
    const page1 = await api('GET', '/v1/me/orders?limit=2', { token: customer.token })
    const body1 = await json(page1)
    expect(body1.data.map((order: { id: string }) => order.id)).toEqual([ids[2], ids[1]])
    expect(page1.headers.get('Link')).toContain('rel="next"')
    const body2 = await json(
      await api('GET', `/v1/me/orders?limit=2&cursor=${body1.nextCursor}`, { token: customer.token }),
    )
    expect(body2.data.map((order: { id: string }) => order.id)).toEqual([ids[0]])
    expect(body2.nextCursor).toBeNull()
    expect((await api('GET', '/v1/me/orders?cursor=garbage', { token: customer.token })).status).toBe(400)
  })

  it('answers 404, never 403, for another customer’s order on every order route', async () => {
    const owner = await createUser()
    const intruder = await createUser()
    const order = await placeOrder(owner, [[await createBook(), 1]])
    const attempts = [
      api('GET', `/v1/orders/${order.id}`, { token: intruder.token }),
      api('PATCH', `/v1/orders/${order.id}/address`, { token: intruder.token, body: { address } }),
      api('POST', `/v1/orders/${order.id}/cancel`, { token: intruder.token }),
    ]
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(404)
      expect((await json(response)).title).toBe('Order not found')
    }
    const missing = await api('GET', '/v1/orders/ord_00000000000000000000000000', { token: intruder.token })
    expect(missing.status).toBe(404)
    expect((await json(await api('GET', '/v1/me/orders', { token: intruder.token }))).data).toEqual([])
    // The order is untouched, and its owner and an admin still see it.
    expect((await getOrder(owner.token, order.id)).status).toBe('pending_payment')
    const admin = await createUser('admin')
    expect((await api('GET', `/v1/orders/${order.id}`, { token: admin.token })).status).toBe(200)
  })
})

describe('PATCH /v1/orders/{id}/address', () => {
  it('changes the address until the order ships', async () => {
    const customer = await createUser()
    const admin = await createUser('admin')
    const order = await placeOrder(customer, [[await createBook(), 1]])
    const moved = { address: { ...address, city: 'Bath', postalCode: 'BA1 1AA' } }
    const response = await api('PATCH', `/v1/orders/${order.id}/address`, {
      token: customer.token,
      body: moved,
    })
    expect(response.status).toBe(200)
    expect((await json(response)).address.city).toBe('Bath')

    await payOrder(order)
    expect(
      (await api('PATCH', `/v1/orders/${order.id}/address`, { token: customer.token, body: moved })).status,
    ).toBe(200)
    await api('POST', `/v1/admin/orders/${order.id}/ship`, { token: admin.token })
    const late = await api('PATCH', `/v1/orders/${order.id}/address`, { token: customer.token, body: moved })
    expect(late.status).toBe(409)
  })
})

describe('POST /v1/orders/{id}/cancel', () => {
  it('cancels an unpaid order and releases its stock', async () => {
    const customer = await createUser()
    const book = await createBook({ stock: 4 })
    const order = await placeOrder(customer, [[book, 3]])
    expect(await stockOf(book)).toBe(1)
    const response = await api('POST', `/v1/orders/${order.id}/cancel`, { token: customer.token })
    expect(response.status).toBe(200)
    const cancelled = await json(response)
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelReason: 'cancelled_by_customer' })
    expect(cancelled.payment).toMatchObject({ status: 'canceled', clientSecret: null })
    expect(await stockOf(book)).toBe(4)
    // A second cancel is an illegal transition and releases nothing more.
    expect((await api('POST', `/v1/orders/${order.id}/cancel`, { token: customer.token })).status).toBe(409)
    expect(await stockOf(book)).toBe(4)
  })

  it('refunds a paid order in full when it is cancelled before shipping', async () => {
    const customer = await createUser()
    const book = await createBook({ stock: 4, price: 1000 })
    const order = await placeOrder(customer, [[book, 2]])
    await payOrder(order)
    const response = await api('POST', `/v1/orders/${order.id}/cancel`, { token: customer.token })
    expect(response.status).toBe(200)
    expect(await json(response)).toMatchObject({
      status: 'cancelled',
      refunded: { amount: 2499, currency: 'EUR' },
      total: { amount: 2499, currency: 'EUR' },
    })
    expect(await stockOf(book)).toBe(4)
  })
})

describe('a large cart', () => {
  it('checks out many lines at once (multi-row inserts stay under D1’s parameter limit)', async () => {
    const customer = await createUser()
    const bookIds = await Promise.all(Array.from({ length: 25 }, () => createBook({ stock: 3, price: 100 })))
    for (const bookId of bookIds) expect((await putInCart(customer, bookId, 2)).status).toBe(200)
    const response = await checkoutRequest(customer)
    expect(response.status).toBe(201)
    const order = await json(response)
    expect(order.lines).toHaveLength(25)
    expect(order.subtotal.amount).toBe(5000)
    expect(await stockOf(bookIds[24]!)).toBe(1)
  })
})
