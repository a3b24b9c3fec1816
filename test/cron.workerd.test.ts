// Runs in the workerd project only: it calls the Worker's real `scheduled` entry point with workerd's own
// controller and execution context, as a cron trigger does.
import {
  createExecutionContext,
  createScheduledController,
  env,
  waitOnExecutionContext,
} from 'cloudflare:test'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { harness } from '#harness'
import { bookRelations, orderLines, orders } from '../src/db/schema'
import worker from '../src/index'
import { createBook, createUser, getOrder, payOrder, placeOrder, stockOf } from './helpers/commerce'

describe('the scheduled handler (cron trigger)', () => {
  it('runs the commerce job: an order unpaid for 30 minutes is cancelled and its stock released', async () => {
    const customer = await createUser()
    const book = await createBook({ stock: 3 })
    const order = await placeOrder(customer, [[book, 2]])
    await harness
      .db()
      .update(orders)
      .set({ createdAt: new Date(Date.now() - 31 * 60_000) })
      .where(eq(orders.id, order.id))
    expect(await stockOf(book)).toBe(1)

    const context = createExecutionContext()
    await worker.scheduled(createScheduledController({ cron: '*/5 * * * *' }), env as never, context)
    await waitOnExecutionContext(context)
    expect((await getOrder(customer.token, order.id)).status).toBe('cancelled')
    expect(await stockOf(book)).toBe(3)
  })

  it('runs the discovery job: books bought together by three customers become related', async () => {
    const [first, second] = [await createBook(), await createBook()]
    for (let buyer = 0; buyer < 3; buyer++) {
      const customer = await createUser()
      const order = await placeOrder(customer, [
        [first, 1],
        [second, 1],
      ])
      await payOrder(order)
    }
    const context = createExecutionContext()
    await worker.scheduled(createScheduledController({ cron: '*/5 * * * *' }), env as never, context)
    await waitOnExecutionContext(context)
    const rows = await harness.db().select().from(bookRelations).where(eq(bookRelations.bookId, first))
    expect(rows).toEqual([expect.objectContaining({ relatedBookId: second, buyers: 3 })])
    expect(await harness.db().$count(orderLines, eq(orderLines.bookId, first))).toBe(3)
  })
})
