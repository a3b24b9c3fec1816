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
import { orders } from '../src/db/schema'
import worker from '../src/index'
import { createBook, createUser, getOrder, placeOrder, stockOf } from './helpers/commerce'

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
})
