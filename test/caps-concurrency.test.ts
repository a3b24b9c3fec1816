import { describe, expect, it } from 'vitest'
import { MAX_ADDRESSES } from '../src/features/addresses/addresses.service'
import { MAX_CART_LINES } from '../src/features/cart/cart.schemas'
import { address, createBook, createUser, putInCart } from './helpers/commerce'
import { api, json } from './helpers/http'

const tally = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((counts, status) => {
    counts[status] = (counts[status] ?? 0) + 1
    return counts
  }, {})

describe('caps hold under concurrency (issue 9 item 7)', () => {
  it(`a cart never exceeds ${MAX_CART_LINES} lines, however many PUTs race`, async () => {
    const customer = await createUser()
    const books: string[] = []
    for (let i = 0; i < MAX_CART_LINES + 20; i++) books.push(await createBook({ stock: 5 }))
    const answers = await Promise.all(books.map((book) => putInCart(customer, book, 1)))
    expect(tally(answers.map((answer) => answer.status))).toEqual({ 200: MAX_CART_LINES, 409: 20 })
    for (const answer of answers.filter((r) => r.status === 409)) {
      expect((await json(answer)).title).toBe('Cart is full')
    }
    const cart = await json(await api('GET', '/v1/me/cart', { token: customer.token }))
    expect(cart.items).toHaveLength(MAX_CART_LINES)
  })

  it('a full cart still updates its existing lines (an update does not count against the cap)', async () => {
    const customer = await createUser()
    const books: string[] = []
    for (let i = 0; i < MAX_CART_LINES; i++) books.push(await createBook({ stock: 5 }))
    for (const book of books) expect((await putInCart(customer, book, 1)).status).toBe(200)
    const answers = await Promise.all([
      ...books.slice(0, 10).map((book) => putInCart(customer, book, 3)),
      putInCart(customer, await createBook({ stock: 5 }), 1),
    ])
    expect(answers.map((answer) => answer.status)).toEqual([...Array(10).fill(200), 409])
    const cart = await json(await api('GET', '/v1/me/cart', { token: customer.token }))
    expect(cart.items).toHaveLength(MAX_CART_LINES)
    expect(cart.itemCount).toBe(MAX_CART_LINES + 10 * 2)
  })

  it('keeps a cart in one currency, also when lines in two currencies race into an empty cart', async () => {
    const customer = await createUser()
    const books: string[] = []
    for (const currency of ['EUR', 'USD', 'EUR', 'USD', 'EUR', 'USD'])
      books.push(await createBook({ currency }))
    const answers = await Promise.all(books.map((book) => putInCart(customer, book, 1)))
    const refused = answers.filter((answer) => answer.status === 409)
    expect(refused).toHaveLength(3)
    for (const answer of refused) expect((await json(answer)).title).toBe('Mixed currencies')
    const cart = await json(await api('GET', '/v1/me/cart', { token: customer.token }))
    const currencies = new Set(
      cart.items.map((item: { unitPrice: { currency: string } }) => item.unitPrice.currency),
    )
    expect(currencies.size).toBe(1)
    expect(cart.items).toHaveLength(3)
  })

  it(`a customer never holds more than ${MAX_ADDRESSES} addresses, however many POSTs race`, async () => {
    const customer = await createUser()
    const answers = await Promise.all(
      Array.from({ length: MAX_ADDRESSES + 10 }, (_, i) =>
        api('POST', '/v1/me/addresses', { token: customer.token, body: { ...address, line1: `${i} Road` } }),
      ),
    )
    expect(tally(answers.map((answer) => answer.status))).toEqual({ 201: MAX_ADDRESSES, 409: 10 })
    for (const answer of answers.filter((r) => r.status === 409)) {
      expect((await json(answer)).title).toBe('Too many addresses')
    }
    const list = await json(await api('GET', '/v1/me/addresses', { token: customer.token }))
    expect(list.data).toHaveLength(MAX_ADDRESSES)
  })
})
