import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { addresses, cartItems, orders, users } from '../src/db/schema'
import { commerceAccountDeletion } from '../src/features/orders'
import { address, createBook, createUser, payOrder, placeOrder, putInCart } from './helpers/commerce'
import { api, json } from './helpers/http'

describe('commerceAccountDeletion', () => {
  it('deletes cart and addresses, keeps orders for accounting but anonymised, in one batch', async () => {
    const customer = await createUser()
    const admin = await createUser('admin')
    const order = await placeOrder(customer, [[await createBook({ price: 1200 }), 1]])
    await payOrder(order)
    await api('POST', '/v1/me/addresses', { token: customer.token, body: address })
    await putInCart(customer, await createBook(), 2)

    const db = harness.db()
    // As the account deletion will: commerce's statements plus the user row, one batch.
    const [first, ...rest] = commerceAccountDeletion(db, customer.id)
    await db.batch([first!, ...rest, db.delete(users).where(eq(users.id, customer.id))])

    expect(await db.select().from(cartItems).where(eq(cartItems.userId, customer.id))).toEqual([])
    expect(await db.select().from(addresses).where(eq(addresses.userId, customer.id))).toEqual([])
    const [row] = await db.select().from(orders).where(eq(orders.id, order.id))
    expect(row).toMatchObject({
      userId: null,
      shipName: null,
      shipLine1: null,
      shipPhone: null,
      shipPostalCode: null,
      shipCountry: 'GB',
      status: 'paid',
      totalAmount: order.total.amount,
    })

    // The order is still there for an admin, without personal data; its former owner's token no longer works
    // (its session went with the user: 401), and would not find the order anyway.
    const seen = await json(await api('GET', `/v1/orders/${order.id}`, { token: admin.token }))
    expect(seen).toMatchObject({ customerId: null, address: null, status: 'paid', lines: order.lines })
    expect((await api('GET', `/v1/orders/${order.id}`, { token: customer.token })).status).toBe(401)
  })
})
