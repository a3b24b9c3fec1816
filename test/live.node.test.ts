import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { liveOutbox } from '../src/db/schema'
import { createBook, createUser, getOrder, placeOrder } from './helpers/commerce'
import { api } from './helpers/http'

/** Node/libSQL has no Durable Object binding: every write works as before, and writes no live outbox rows. */
describe('live without the binding', () => {
  it('checks out, cancels and edits books without outbox rows; an upgrade is 503 problem details', async () => {
    const customer = await createUser()
    const admin = await createUser('admin')
    const book = await createBook({ stock: 1 })
    const order = await placeOrder(customer, [[book, 1]])
    expect((await api('POST', `/v1/orders/${order.id}/cancel`, { token: customer.token })).status).toBe(200)
    expect((await getOrder(customer.token, order.id)).status).toBe('cancelled')
    const patch = await api('PATCH', `/v1/books/${book}`, {
      token: admin.token,
      body: { price: { amount: 999, currency: 'EUR' } },
    })
    expect(patch.status).toBe(200)
    expect(await harness.db().select().from(liveOutbox)).toEqual([])
    const upgrade = await api('GET', `/v1/live/books/${book}`, { headers: { Upgrade: 'websocket' } })
    expect(upgrade.status).toBe(503)
    expect(upgrade.headers.get('Content-Type')).toContain('application/problem+json')
  })
})
