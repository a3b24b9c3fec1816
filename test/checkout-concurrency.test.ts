import { describe, expect, it } from 'vitest'
import { checkoutRequest, createBook, createUser, putInCart, stockOf } from './helpers/commerce'
import { json } from './helpers/http'

describe('checkout under contention', () => {
  it('never oversells: of many parallel checkouts for the last copies, exactly `stock` succeed', async () => {
    const copies = 3
    const buyers = 12
    const book = await createBook({ stock: copies })
    const customers = await Promise.all(Array.from({ length: buyers }, () => createUser()))
    for (const customer of customers) expect((await putInCart(customer, book, 1)).status).toBe(200)

    const responses = await Promise.all(customers.map((customer) => checkoutRequest(customer)))
    const statuses = responses.map((response) => response.status)
    expect(statuses.filter((status) => status === 201)).toHaveLength(copies)
    expect(statuses.filter((status) => status === 409)).toHaveLength(buyers - copies)
    expect(await stockOf(book)).toBe(0)

    const rejected = responses.find((response) => response.status === 409)!
    expect((await json(rejected)).errors[0]).toEqual({
      pointer: `/cart/items/${book}`,
      detail: 'Requested 1, available 0',
    })
  })

  it('never oversells multi-copy lines either: stock ends at 0, not below', async () => {
    const book = await createBook({ stock: 5 })
    const customers = await Promise.all(Array.from({ length: 8 }, () => createUser()))
    for (const customer of customers) await putInCart(customer, book, 2)
    const responses = await Promise.all(customers.map((customer) => checkoutRequest(customer)))
    expect(responses.filter((response) => response.status === 201)).toHaveLength(2)
    expect(await stockOf(book)).toBe(1)
  })
})
