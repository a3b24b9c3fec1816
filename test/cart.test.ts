import { eq } from 'drizzle-orm'
import { decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { cartItems, sessions } from '../src/db/schema'
import { MAX_QUANTITY_PER_LINE } from '../src/features/cart/cart.schemas'
import { createBook, createUser, putInCart } from './helpers/commerce'
import { api, json } from './helpers/http'

describe('cart', () => {
  it('starts empty and needs a token', async () => {
    expect((await api('GET', '/v1/me/cart')).status).toBe(401)
    const customer = await createUser()
    const response = await api('GET', '/v1/me/cart', { token: customer.token })
    expect(response.status).toBe(200)
    expect(response.headers.get('Cache-Control')).toContain('no-store')
    expect(await json(response)).toEqual({
      items: [],
      itemCount: 0,
      subtotal: { amount: 0, currency: 'EUR' },
    })
  })

  it('sets quantities, shows current prices and a subtotal', async () => {
    const customer = await createUser()
    const first = await createBook({ price: 1299, title: 'First' })
    const second = await createBook({ price: 500, title: 'Second' })
    expect((await putInCart(customer, first, 2)).status).toBe(200)
    const response = await putInCart(customer, second, 1)
    const cart = await json(response)
    expect(cart.itemCount).toBe(3)
    expect(cart.subtotal).toEqual({ amount: 3098, currency: 'EUR' })
    expect(cart.items[0]).toMatchObject({
      bookId: first,
      title: 'First',
      quantity: 2,
      unitPrice: { amount: 1299, currency: 'EUR' },
      lineTotal: { amount: 2598, currency: 'EUR' },
    })
    // Setting again replaces the quantity.
    const updated = await json(await putInCart(customer, first, 1))
    expect(updated.items[0].quantity).toBe(1)
  })

  it('rejects quantities outside 1..max and above stock', async () => {
    const customer = await createUser()
    const book = await createBook({ stock: 3 })
    for (const quantity of [0, -1, 1.5, MAX_QUANTITY_PER_LINE + 1]) {
      const response = await putInCart(customer, book, quantity)
      expect(response.status).toBe(422)
    }
    const short = await putInCart(customer, book, 4)
    expect(short.status).toBe(409)
    expect((await json(short)).errors[0].pointer).toBe('/body/quantity')
  })

  it('404s an unknown book and a book not in the cart; 400s a malformed id', async () => {
    const customer = await createUser()
    expect((await putInCart(customer, 'bk_00000000000000000000000000', 1)).status).toBe(404)
    expect((await putInCart(customer, 'nope', 1)).status).toBe(400)
    const book = await createBook()
    expect((await api('DELETE', `/v1/me/cart/items/${book}`, { token: customer.token })).status).toBe(404)
  })

  it('removes items', async () => {
    const customer = await createUser()
    const book = await createBook()
    await putInCart(customer, book, 2)
    const response = await api('DELETE', `/v1/me/cart/items/${book}`, { token: customer.token })
    expect(response.status).toBe(200)
    expect((await json(response)).items).toEqual([])
  })

  it('keeps one currency per cart', async () => {
    const customer = await createUser()
    await putInCart(customer, await createBook({ currency: 'EUR' }), 1)
    const response = await putInCart(customer, await createBook({ currency: 'USD' }), 1)
    expect(response.status).toBe(409)
    expect((await json(response)).title).toBe('Mixed currencies')
  })

  it('is private to each customer', async () => {
    const alice = await createUser()
    const bob = await createUser()
    await putInCart(alice, await createBook(), 1)
    expect((await json(await api('GET', '/v1/me/cart', { token: bob.token }))).items).toEqual([])
  })

  it('a revoked session changes nothing: its write is guarded by the session in the same batch', async () => {
    const customer = await createUser()
    const kept = await createBook()
    expect((await putInCart(customer, kept, 2)).status).toBe(200)
    await harness
      .db()
      .update(sessions)
      .set({ revokedAt: new Date(), revokedReason: 'logout' })
      .where(eq(sessions.id, decodeJwt(customer.token).sid as string))
    const added = await putInCart(customer, await createBook(), 1)
    expect(added.status).toBe(401)
    expect((await putInCart(customer, kept, 5)).status).toBe(401)
    const rows = await harness.db().select().from(cartItems).where(eq(cartItems.userId, customer.id))
    expect(rows.map((row) => [row.bookId, row.quantity])).toEqual([[kept, 2]])
  })
})
